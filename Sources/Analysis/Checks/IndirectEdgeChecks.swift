import AArch64
import AArch64Emulator
import Diagnostics

/// One indirect branch (BR or BLR) and the word it lands on, seen in a run or read from a
/// state's words.
struct IndirectEdge {
  /// The state the edge belongs to.
  var state: LayoutState
  /// The run that took it; nil for an edge read from the words (`LDR Xn, literal` then
  /// `BR/BLR Xn`) that no run took.
  var run: ScenarioRun?
  var from: UInt64
  var to: UInt64
  var link: Bool
  var register: UInt8
  /// The first word at the target, when known.
  var targetWord: UInt32?
  /// The target's name (`ftrace_caller+0x0/0x40`, or the trampoline's name).
  var targetName: String
  /// The branch's text (`br x10`).
  var text: String
  /// The source's name.
  var sourceName: String
  /// Whether the run stopped at the target with a Branch Target exception.
  var faulted: Bool

  /// PSTATE.BTYPE the branch leaves when its page is guarded (DOMAIN.md §2): BLR 2, BR
  /// X16/X17 1, any other BR 3. On an unguarded page a BR leaves 1, which hides the mistake;
  /// this is the BTYPE the same kernel built with BTI would see.
  var guardedBTYPE: UInt8 { link ? 2 : (register == 16 || register == 17 ? 1 : 3) }

  var offset: Int { Int(Int64(bitPattern: from &- state.functionAddress)) }
}

enum IndirectEdges {
  /// Every indirect branch the runs take out of the series' code (not Patchsite's own tracer,
  /// caller and stubs), and every `LDR Xn, literal; BR/BLR Xn` pair in a state's words whose
  /// literal names a trampoline, when no run took it.
  static func collect(_ c: CheckContext) -> [IndirectEdge] {
    var out: [IndirectEdge] = []
    var seen: Set<String> = []
    for r in c.runs {
      let s = r.scenario
      let own = s.modelled.map { $0.address..<($0.address + max($0.size, 4)) }
      for e in r.branches where e.taken && (e.kind == .indirect || e.kind == .indirectCall) {
        guard !own.contains(where: { $0.contains(e.from) }), let reg = e.register else {
          continue
        }
        let word = s.machine.memory.word(at: e.to)
        guard word != nil else { continue }  // nothing there: range.branch-reach
        let faulted: Bool
        if let f = r.fault, case .branchTarget = f.reason, f.pc == e.to {
          faulted = true
        } else {
          faulted = false
        }
        let fromWord = s.machine.memory.word(at: e.from) ?? 0
        seen.insert("\(s.state.id)|\(e.from)|\(e.to)")
        out.append(
          IndirectEdge(
            state: s.state, run: r, from: e.from, to: e.to, link: e.kind == .indirectCall,
            register: reg, targetWord: word, targetName: s.name(e.to),
            text: Words.text(fromWord, at: e.from), sourceName: s.name(e.from), faulted: faulted))
      }
    }
    for state in c.layout.states {
      let run = c.runs.first { $0.scenario.state.id == state.id }
      for w in state.words where w.kind == .insn {
        guard case .branchRegister(let kind, let rn)? = A64.decode(w.word).instruction,
          kind != .ret, let n = rn.number,
          let load = state.word(at: w.offset - 4), load.kind == .insn,
          case .loadLiteral(.ldr, let rt, _)? = A64.decode(load.word).instruction,
          rt.number == n, rt.width == .x,
          let literal = Words.branchTarget(A64.decode(load.word), pc: state.address(load.offset)),
          let lo = state.words.first(where: { state.address($0.offset) == literal }),
          let hi = state.word(at: lo.offset + 4), lo.kind == .literal, hi.kind == .literal
        else { continue }
        let target = UInt64(hi.word) << 32 | UInt64(lo.word)
        let from = state.address(w.offset)
        guard seen.insert("\(state.id)|\(from)|\(target)").inserted else { continue }
        let tramp = c.layout.trampolines.first {
          $0.address == target && ($0.kind == "code" || $0.kind == "func")
        }
        let word = run?.scenario.machine.memory.word(at: target) ?? tramp?.firstWord
        guard let word else { continue }
        let name =
          tramp?.name ?? run.map { $0.scenario.name(target) } ?? lo.symbol ?? "0x"
          + Words.hex(target)
        out.append(
          IndirectEdge(
            state: state, run: nil, from: from, to: target, link: kind == .blr, register: n,
            targetWord: word, targetName: name, text: w.text,
            sourceName: "func\(signed(w.offset))", faulted: false))
      }
    }
    return out
  }

  /// The evidence block of an edge.
  static func evidence(_ e: IndirectEdge, bti: Bool, note: String) -> Evidence {
    let heading: String
    var lines: [EvidenceLine]
    if let r = e.run {
      heading = CheckContext.heading(r)
      lines = [CheckContext.line(r, e.from, note: "BTYPE \(e.guardedBTYPE) on a guarded page")]
    } else {
      heading = "state \(e.state.name), read from the words (no run takes this branch)"
      lines = [EvidenceLine(address: e.from, text: e.text, note: "BTYPE \(e.guardedBTYPE)")]
    }
    let targetText = e.targetWord.map { Words.text($0, at: e.to) } ?? "(unknown)"
    lines.append(EvidenceLine(address: e.to, word: e.targetWord, text: targetText, note: note))
    return Evidence(
      blocks: [.init(heading + (bti ? "" : "; BTYPE as on a guarded page"), lines)],
      facts: [
        ("btype", "\(e.guardedBTYPE)"), ("target", "0x" + Words.hex(e.to)),
        ("bti", bti ? "on" : "off"),
      ])
  }

  /// Where the target comes from (a trampoline of the series), else the branch.
  static func location(_ e: IndirectEdge, _ c: CheckContext) -> SourceLocation? {
    if let l = c.layout.trampolines.first(where: { $0.address == e.to })?.location { return l }
    if let r = e.run {
      return c.location(ofCodeAt: e.to, in: r.scenario)
        ?? c.location(ofCodeAt: e.from, in: r.scenario)
    }
    let offset = Int(Int64(bitPattern: e.from &- e.state.functionAddress))
    return c.layout.transitions.first { $0.to == e.state.id }?.writes.first {
      $0.offset == offset
    }?.location
  }

  /// The sentence a BTI-off finding ends with.
  static let offNote =
    "; BTI is off in this configuration, so nothing faults here, but the same kernel built "
    + "with ARM64_BTI_KERNEL takes a Branch Target exception"
}

/// DOMAIN.md §6.10: code reached by an indirect branch starts with a landing pad that accepts
/// the branch's BTYPE (§2: BR X16/X17 → 1, other BR → 3, BLR → 2, on a guarded page).
///
/// The runs' BR/BLR edges and the `LDR Xn, literal; BR Xn` pairs of the states' words are
/// checked against the target's first word with the BTYPE the branch has on a guarded page, so
/// a layout rebuilt with BTI off shows the mistake too (a warning: nothing faults without
/// BTI). An edge the run faulted on is `bti.landing-pad`'s, and a BTYPE-3 edge onto
/// PACIASP/PACIBSP is `bti.paciasp-pad`'s.
enum TrampolinePadCheck {
  static func run(_ c: CheckContext) -> [Finding] {
    let bti = c.layout.configuration.bti == true
    var out: [Finding] = []
    for e in IndirectEdges.collect(c) where !e.faulted {
      guard let word = e.targetWord, !LandingPads.accepts(word, btype: e.guardedBTYPE) else {
        continue
      }
      if e.guardedBTYPE == 3 && Words.isPACSign(word) { continue }
      let targetText = Words.text(word, at: e.to)
      out.append(
        Finding(
          CheckCatalogue.trampolinePad, severity: bti ? .error : .warning,
          message: "state \(e.state.name): \(e.sourceName) enters \(e.targetName) with "
            + "`\(e.text)`, \(LandingPads.why(e.guardedBTYPE)), and its first word "
            + "`\(targetText)` does not accept it" + (bti ? "" : IndirectEdges.offNote),
          explanation: "Code reached by an indirect branch must start with a landing pad that "
            + "accepts the branch's BTYPE: here \(LandingPads.accepting(e.guardedBTYPE)). "
            + "SYM_CODE_START emits none, so a trampoline written with it adds its own "
            + "(ftrace_caller: BTI C; dummy_tramp, reached through BR X10: BTI J).",
          state: e.state.id, offset: e.offset,
          assumptions: e.run?.scenario.assumptions ?? c.placementAssumptions,
          evidence: IndirectEdges.evidence(e, bti: bti, note: "not a pad for this BTYPE"),
          location: IndirectEdges.location(e, c)))
    }
    return Dedupe.byMessageShape(out)
  }
}

/// DOMAIN.md §6.12: Linux sets SCTLR_EL1.BT0/BT1, so PACIASP and PACIBSP do not accept
/// BTYPE 3 (a BR through a register other than X16/X17 from a guarded page). Reported from the
/// runs that faulted there, and from the runs and words where BTI is off (a warning: the same
/// kernel with BTI would fault).
enum PaciaspPadCheck {
  static func run(_ c: CheckContext) -> [Finding] {
    let bti = c.layout.configuration.bti == true
    var out: [Finding] = []
    for e in IndirectEdges.collect(c) where e.guardedBTYPE == 3 {
      guard let word = e.targetWord, Words.isPACSign(word) else { continue }
      let hint = word == Words.paciasp ? "paciasp" : "pacibsp"
      // A run on guarded pages faults here (the evidence); without BTI nothing does.
      let faults = e.faulted || bti
      out.append(
        Finding(
          CheckCatalogue.paciaspPad, severity: faults ? .error : .warning,
          message: "state \(e.state.name): \(e.sourceName) enters \(e.targetName) with "
            + "`\(e.text)` (BTYPE 3), and it starts with `\(hint)`, which does not accept "
            + "BTYPE 3 under Linux's SCTLR_EL1.BT0/BT1" + (faults ? "" : IndirectEdges.offNote),
          explanation: "PACIASP and PACIBSP act as landing pads for BTYPE 1 and 2 only when "
            + "SCTLR_EL1.BTx is set, and bti_enable() sets BT0|BT1. Branch through X16/X17 "
            + "(BTYPE 1), or start the target with BTI J/BTI JC (Clang's jump-table fix, 2020).",
          state: e.state.id, offset: e.offset,
          assumptions: (e.run?.scenario.assumptions ?? c.placementAssumptions)
            + ["SCTLR_EL1.BT0/BT1 are set, as bti_enable() does"],
          evidence: IndirectEdges.evidence(
            e, bti: bti,
            note: e.faulted ? "Branch Target exception, ESR 0x36000003" : "PACIxSP, BTYPE 3"),
          location: IndirectEdges.location(e, c)))
    }
    return Dedupe.byMessageShape(out)
  }
}
