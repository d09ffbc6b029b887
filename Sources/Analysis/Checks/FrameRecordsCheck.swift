import AArch64
import AArch64Emulator
import Diagnostics

/// DOMAIN.md §6.19: where the tracer runs, the trampoline has built two frame records on the
/// task stack, 16-byte aligned: the callsite record {X29 of the traced function's caller, X9 =
/// the return into that caller}, and above the tracer's own, the trampoline's record
/// {&callsite record, X30 = the return into the traced function}; the trampoline's record is
/// below the callsite record (records move up the stack as the walk goes on).
enum FrameRecordsCheck {
  static func run(_ c: CheckContext) -> [Finding] {
    var out: [Finding] = []
    for r in c.runs {
      let s = r.scenario
      for chain in r.tracerRecords {
        let inFunction = { (lr: UInt64) in
          lr >= s.function.address && lr < s.function.address + s.function.size
        }
        let own = chain.firstIndex { inFunction($0.lr) }
        let callsite = chain.firstIndex { $0.lr == s.returnIntoCaller }
        var problems: [String] = []
        switch (own, callsite) {
        case (nil, _):
          problems.append("no record holds the return into the traced function (X30)")
        case (_, nil):
          problems.append(
            "no record holds the return into the caller (X9): the callsite record is missing")
        case (let o?, let k?):
          let a = chain[o]
          let b = chain[k]
          if b.address <= a.address {
            problems.append(
              "the callsite record (0x\(Words.hex(b.address))) is not above the trampoline's "
                + "(0x\(Words.hex(a.address)))")
          }
          if a.fp != b.address {
            problems.append(
              "the trampoline's record links to 0x\(Words.hex(a.fp)), not to the callsite record")
          }
          for x in [a, b] where x.address & 15 != 0 {
            problems.append("the record at 0x\(Words.hex(x.address)) is not 16-byte aligned")
          }
        }
        guard !problems.isEmpty else { continue }
        let lines = chain.map { rec in
          EvidenceLine(
            address: rec.address,
            text: "{fp 0x\(Words.hex(rec.fp)), lr 0x\(Words.hex(rec.lr))}",
            note: s.symbols.lookup(rec.lr).map { "lr in \($0)" } ?? "")
        }
        out.append(
          Finding(
            CheckCatalogue.frameRecords,
            message: "state \(s.state.name): where the tracer runs, "
              + problems.joined(separator: "; "),
            explanation: "The unwinder follows X29 through {fp, lr} records that must move up "
              + "the stack. Without the callsite record {x29, x9} the traced function's caller "
              + "is in no record; out of order, the walk stops.",
            state: s.state.id, assumptions: s.assumptions,
            evidence: Evidence(
              blocks: [.init(CheckContext.heading(r) + ", frame records at the tracer", lines)]),
            location: c.layout.trampolines.first { $0.name == "ftrace_caller" }?.location))
      }
    }
    return Dedupe.byMessageShape(out)
  }
}
