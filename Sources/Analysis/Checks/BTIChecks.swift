import AArch64
import AArch64Emulator
import Diagnostics

/// What a landing pad accepts (DOMAIN.md §2, with Linux's SCTLR_EL1.BT0/BT1 set).
enum LandingPads {
  static func accepts(_ word: UInt32, btype: UInt8) -> Bool {
    guard case .hint(let h)? = A64.decode(word).instruction else { return false }
    switch (h, btype) {
    case (.btiC, 1), (.btiC, 2), (.btiJ, 1), (.btiJ, 3), (.btiJC, _): return true
    case (.paciasp, 1), (.paciasp, 2), (.pacibsp, 1), (.pacibsp, 2): return true
    default: return false
    }
  }

  /// The pads that accept `btype`, for the explanation.
  static func accepting(_ btype: UInt8) -> String {
    switch btype {
    case 1: "BTI C, BTI J, BTI JC, PACIASP or PACIBSP"
    case 2: "BTI C, BTI JC, PACIASP or PACIBSP"
    default: "BTI J or BTI JC"
    }
  }

  static func why(_ btype: UInt8) -> String {
    switch btype {
    case 1: "BTYPE 1 (BR X16/X17, or BR from an unguarded page)"
    case 2: "BTYPE 2 (BLR)"
    default: "BTYPE 3 (BR through a register other than X16/X17)"
    }
  }
}

/// DOMAIN.md §6.9: every indirect branch the emulator takes lands on a word that accepts its
/// BTYPE; a run that takes a Branch Target exception is the evidence.
enum LandingPadCheck {
  static func run(_ c: CheckContext) -> [Finding] {
    var out: [Finding] = []
    for r in c.runs {
      guard let f = r.fault, case .branchTarget(let btype, let word) = f.reason else { continue }
      let s = r.scenario
      let edge = r.branches.last { $0.taken && $0.to == f.pc }
      let source = edge.map { s.name($0.from) } ?? "an indirect branch"
      let target = s.name(f.pc)
      var lines: [EvidenceLine] = []
      if let e = edge { lines.append(CheckContext.line(r, e.from, note: "BTYPE \(btype)")) }
      lines.append(
        EvidenceLine(
          address: f.pc, word: word, text: CheckContext.text(word, at: f.pc, s.symbols),
          note: "Branch Target exception, ESR 0x\(String(f.syndrome ?? 0, radix: 16))"))
      out.append(
        Finding(
          CheckCatalogue.landingPad,
          message: "state \(s.state.name): \(source) branches to \(target) with "
            + "\(LandingPads.why(btype)), and `\(CheckContext.text(word, at: f.pc, s.symbols))` "
            + "does not accept it",
          explanation: "On a guarded page the target of an indirect branch must be a landing "
            + "pad that accepts the branch's BTYPE: here \(LandingPads.accepting(btype)). "
            + "Linux sets SCTLR_EL1.BT0/BT1, so PACIASP does not accept BTYPE 3.",
          state: s.state.id,
          offset: edge.map { s.offset(of: $0.from) },
          assumptions: s.assumptions,
          evidence: Evidence(
            blocks: [.init(CheckContext.heading(r), CheckContext.tail(r, 4).dropLast() + lines)],
            facts: [
              ("btype", "\(btype)"), ("target", "0x" + Words.hex(f.pc)),
              ("esr", "0x" + String(f.syndrome ?? 0, radix: 16)),
            ]),
          location: c.location(ofCodeAt: f.pc, in: s)
            ?? edge.flatMap { c.location(ofCodeAt: $0.from, in: s) }))
    }
    return Dedupe.byMessageShape(out)
  }
}

/// DOMAIN.md §6.8: with BTI on, the word at the function symbol is the function's landing
/// pad (an indirect call lands there): `bti c`, `bti jc`, or PACIASP/PACIBSP.
enum EntryPadCheck {
  static func run(_ c: CheckContext) -> [Finding] {
    guard c.layout.configuration.bti == true else { return [] }
    var out: [Finding] = []
    for state in c.layout.states {
      guard let w = state.word(at: 0), w.kind == .insn else { continue }
      if LandingPads.accepts(w.word, btype: 2) { continue }
      let write = c.layout.transitions.first { $0.to == state.id }?.writes.first { $0.offset == 0 }
      out.append(
        Finding(
          CheckCatalogue.entryPad,
          message: "state \(state.name): the function symbol holds `\(w.text)`, not a landing "
            + "pad, so an indirect call (BLR) to the function takes a Branch Target exception",
          explanation: "With BTI, the compiler puts BTI C at the symbol and the patchable NOPs "
            + "after it (GCC 10.1 and later); a patch-site that writes over that word, or NOPs "
            + "placed before it, leave indirect calls without a landing pad.",
          state: state.id, offset: 0,
          evidence: Evidence(
            blocks: [
              .init(
                "state \(state.name), BTI on",
                state.words.filter { $0.offset >= 0 }.prefix(4).map {
                  EvidenceLine(address: state.address($0.offset), word: $0.word, text: $0.text)
                })
            ]),
          location: write?.location))
    }
    return Dedupe.byMessageShape(out)
  }
}

extension CheckContext {
  /// Where the code at `pc` comes from: the trampoline of `entry-ftrace.S` it lies in, or the
  /// transition write that put the word there.
  func location(ofCodeAt pc: UInt64, in s: Scenario) -> SourceLocation? {
    if pc >= s.patchStart && pc < s.patchEnd {
      let offset = s.offset(of: pc)
      for t in layout.transitions where t.to == s.state.id {
        if let w = t.writes.first(where: { $0.offset == offset }), let l = w.location { return l }
      }
      return nil
    }
    guard let sym = s.symbols.lookup(pc)?.symbol else { return nil }
    return layout.trampolines.first { $0.name == sym.name }?.location
  }
}
