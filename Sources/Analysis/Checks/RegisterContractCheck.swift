import AArch64
import AArch64Emulator
import Diagnostics

/// DOMAIN.md §6.22, the part the emulator shows: the traced function must get back to its
/// caller. The callsite saves the return address in X9 (`MOV X9, X30`) for the trampoline to
/// restore; when a state skips that, or a trampoline clobbers X9 or the saved LR, the
/// function returns somewhere else.
enum RegisterContractCheck {
  static func run(_ c: CheckContext) -> [Finding] {
    var out: [Finding] = []
    for r in c.runs {
      guard let f = r.fault, case .unmapped(.fetch, let address) = f.reason,
        FaultClassifier.isFinding(f, in: r),
        let edge = r.branches.last(where: { $0.taken }), edge.kind == .return
      else { continue }
      let s = r.scenario
      let executedMove = r.steps.contains { step in
        step.pc >= s.patchStart && step.pc < s.patchEnd && step.word == 0xaa1e_03e9
      }
      var lines = CheckContext.tail(r, 6)
      lines.append(EvidenceLine(address: address, text: "(nothing mapped)", note: "fetch fault"))
      out.append(
        Finding(
          CheckCatalogue.registerContract,
          message: "state \(s.state.name): \(s.name(edge.from)) returns to "
            + "0x\(Words.hex(address)) instead of 0x\(Words.hex(s.returnIntoCaller)) in its caller"
            + (executedMove ? "" : "; the callsite never executed `mov x9, x30`"),
          explanation: "The trampoline returns to the traced function with RET X9 and restores "
            + "X30 from X9, so the callsite must copy the return address to X9 before the BL, "
            + "and nothing on the way may clobber it.",
          state: s.state.id,
          offset: s.offset(of: edge.from),
          assumptions: s.assumptions,
          evidence: Evidence(
            blocks: [.init(CheckContext.heading(r), lines)],
            facts: [
              ("returnedTo", "0x" + Words.hex(address)),
              ("expected", "0x" + Words.hex(s.returnIntoCaller)),
            ]),
          location: c.location(ofCodeAt: s.function.address, in: s)))
    }
    return Dedupe.byMessageShape(out)
  }
}
