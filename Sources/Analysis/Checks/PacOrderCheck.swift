import AArch64
import AArch64Emulator
import Diagnostics

/// DOMAIN.md §6.23: the patch-site runs before the function signs its return address, and
/// what the callsite and its trampoline hand back to the body is the caller's return address
/// itself, unsigned. Two halves:
/// - in the words of every state, no word a transition writes comes after a PACIASP or
///   PACIBSP (the callsite would copy a signed LR into X9, and the tracer and the graph
///   tracer would see a signed parent);
/// - in every run, X30 when the body starts is the caller's return address; one that is only
///   equal once its PAC is stripped was signed on the way (the body's AUTIASP then fails).
enum PacOrderCheck {
  static func run(_ c: CheckContext) -> [Finding] {
    order(c.layout) + handedBack(c)
  }

  /// The offsets any transition writes, and those whose word differs between states (a
  /// hand-written layout gives states without transitions).
  static func patched(_ layout: Layout) -> Set<Int> {
    var out = Set<Int>()
    for t in layout.transitions {
      for w in t.writes {
        for o in stride(from: w.offset, to: w.offset + max(4, w.width), by: 4) { out.insert(o) }
      }
    }
    var seen: [Int: UInt32] = [:]
    for s in layout.states {
      for w in s.words {
        if let old = seen[w.offset], old != w.word { out.insert(w.offset) }
        seen[w.offset] = seen[w.offset] ?? w.word
      }
    }
    return out
  }

  static func order(_ layout: Layout) -> [Finding] {
    let written = patched(layout)
    for state in layout.states {
      guard
        let sign = state.words.first(where: {
          $0.offset >= 0 && $0.kind == .insn && Words.isPACSign($0.word)
        })
      else { continue }
      let late = written.filter { $0 > sign.offset }.sorted()
      guard let first = late.first else { continue }
      let lines = state.words.filter { $0.offset >= 0 }.map { w in
        EvidenceLine(
          address: state.address(w.offset), word: w.word, text: w.text,
          note: w.offset == sign.offset
            ? "signs X30 against SP" : late.contains(w.offset) ? "written by ftrace" : "")
      }
      return [
        Finding(
          CheckCatalogue.pacOrder,
          message: "in state \(state.name) the patch-site word at func\(signed(first)) comes "
            + "after \(sign.text) at func\(signed(sign.offset)): the callsite runs with the "
            + "return address already signed",
          explanation: "MOV X9, X30 would save a signed LR: the trampoline's frame record and "
            + "the tracer's parent IP hold a PAC, and the graph tracer's return hook would replace "
            + "a signed address. The patchable entry must come before PACIASP, as "
            + "-fpatchable-function-entry places it (bti c; nop; nop; paciasp).",
          state: state.id, offset: first,
          evidence: Evidence(
            blocks: [.init("state \(state.name)", lines)],
            facts: [
              ("sign", "func\(signed(sign.offset))"), ("patched", "func\(signed(first))"),
            ]))
      ]
    }
    return []
  }

  static func handedBack(_ c: CheckContext) -> [Finding] {
    var out: [Finding] = []
    for r in c.runs {
      let s = r.scenario
      let back = s.returnIntoCaller
      guard let lr = r.bodyEntryLRs.first(where: { $0 != back && PointerAuth.strip($0) == back })
      else { continue }
      var lines = CheckContext.tail(r, 6)
      lines.append(
        EvidenceLine(
          address: s.signPoint, text: "(where the function signs X30)",
          note: "X30 = 0x\(Words.hex(lr)), the caller's return address is 0x\(Words.hex(back))"))
      out.append(
        Finding(
          CheckCatalogue.pacOrder,
          message: "in state \(s.state.name) the callsite hands the function X30 = "
            + "0x\(Words.hex(lr)), the caller's return address with a PAC: the function signs "
            + "it again and its AUTIASP fails",
          explanation: "Trampolines must return to the function with the return address as the "
            + "caller left it; signing belongs to the function, after the patch-site.",
          state: s.state.id, offset: s.offset(of: s.signPoint),
          assumptions: s.assumptions,
          evidence: Evidence(
            blocks: [.init(CheckContext.heading(r), lines)],
            facts: [("x30", "0x" + Words.hex(lr)), ("expected", "0x" + Words.hex(back))]),
          location: nil))
    }
    return out
  }
}
