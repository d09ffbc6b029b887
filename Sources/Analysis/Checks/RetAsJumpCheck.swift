import AArch64
import AArch64Emulator
import Diagnostics

/// DOMAIN.md §6.11: a jump into another entry point goes through `BR X16`/`BR X17` (BTYPE 1,
/// accepted by BTI C and PACIASP). Flagged from the runs:
/// - a `RET Xn` (n ≠ 30) that does not return to a call in progress but lands on the start of
///   a symbol: a RET used as a jump (it also unbalances the return predictor);
/// - a `BR Xn` (n ∉ {16, 17}) onto the start of a function or trampoline.
///
/// The calls in progress are followed through the run's BL/BLR and RET events. Branches out of
/// Patchsite's own code (the caller, the tracer, the stubs) are not the series'.
enum RetAsJumpCheck {
  static func run(_ c: CheckContext) -> [Finding] {
    var out: [Finding] = []
    for r in c.runs {
      let s = r.scenario
      let own = s.modelled.map { $0.address..<($0.address + max($0.size, 4)) }
      let entries = Set(s.symbols.symbols.filter(\.isCode).map(\.address))
        .union(s.state.symbols.values)
        .union(c.layout.trampolines.compactMap(\.address))
      var calls: [UInt64] = []
      for e in r.branches where e.taken {
        switch e.kind {
        case .call, .indirectCall:
          calls.append(e.from &+ 4)
          continue
        case .return:
          if let k = calls.lastIndex(of: e.to) {
            calls.removeSubrange(k...)
            continue
          }
        case .indirect: break
        default: continue
        }
        guard let reg = e.register, !own.contains(where: { $0.contains(e.from) }),
          entries.contains(e.to), e.to != Machine.returnAddress
        else { continue }
        let isReturn = e.kind == .return
        if isReturn && reg == 30 { continue }  // a lost LR: abi.register-contract
        if !isReturn && (reg == 16 || reg == 17) { continue }
        let fromWord = s.machine.memory.word(at: e.from) ?? 0
        let text = Words.text(fromWord, at: e.from)
        let first = s.machine.memory.word(at: e.to).map { Words.text($0, at: e.to) } ?? "?"
        let message: String
        if isReturn {
          message =
            "state \(s.state.name): \(s.name(e.from)) jumps to \(s.name(e.to)) with `\(text)`: "
            + "a RET to the start of another entry point, not back to a call in progress"
        } else {
          message =
            "state \(s.state.name): \(s.name(e.from)) enters \(s.name(e.to)) with `\(text)`, "
            + "not through X16/X17"
        }
        out.append(
          Finding(
            CheckCatalogue.retAsJump, message: message,
            explanation: "A jump into a function or trampoline should be BR X16 or BR X17: "
              + "BTYPE 1, which BTI C and PACIASP accept, and no RET that the return-address "
              + "predictor pairs with the wrong call (Rutland's review turned Revest's v1 "
              + "`ret x12` into `br x17`).",
            state: s.state.id, offset: s.offset(of: e.from),
            assumptions: s.assumptions,
            evidence: Evidence(
              blocks: [
                .init(
                  CheckContext.heading(r),
                  [
                    CheckContext.line(
                      r, e.from, note: isReturn ? "RET through x\(reg)" : "BR through x\(reg)"),
                    CheckContext.line(r, e.to, note: "target's first word: \(first)"),
                  ])
              ],
              facts: [
                ("register", "x\(reg)"), ("kind", isReturn ? "ret" : "br"),
                ("target", "0x" + Words.hex(e.to)),
              ]),
            location: c.location(ofCodeAt: e.from, in: s)))
      }
    }
    return Dedupe.byMessageShape(out)
  }
}
