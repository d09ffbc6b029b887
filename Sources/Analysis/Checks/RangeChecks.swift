import AArch64
import AArch64Emulator
import Diagnostics

/// DOMAIN.md §6.2: a generator's failure word (`BRK #0x100`) in the patch-site. The kernel's
/// `aarch64_insn_gen_*` return it when they cannot encode, and ftrace writes it unchecked.
enum GeneratorSentinelCheck {
  static func run(_ c: CheckContext) -> [Finding] {
    var out: [Finding] = []
    for state in c.layout.states {
      for w in state.words where w.kind == .insn && w.word == Words.breakFault {
        let write = c.layout.transitions.first { $0.to == state.id }?.writes.first {
          $0.offset == w.offset && UInt32(truncatingIfNeeded: $0.new) == Words.breakFault
        }
        out.append(
          Finding(
            CheckCatalogue.generatorSentinel,
            message: "state \(state.name) has BRK #0x100 at func\(signed(w.offset)): an "
              + "instruction generator failed and its failure word was written",
            explanation: "aarch64_insn_gen_* return AARCH64_BREAK_FAULT when they cannot encode "
              + "(a branch out of range, a misaligned target); writing it unchecked puts a "
              + "breakpoint in every traced function.",
            state: state.id, offset: w.offset,
            assumptions: c.placementAssumptions,
            evidence: Evidence(
              blocks: [
                .init(
                  "state \(state.name)",
                  [
                    EvidenceLine(
                      address: state.address(w.offset), word: w.word, text: w.text,
                      note: "written by \(write?.function ?? "the transition")")
                  ])
              ], facts: [("word", "0x" + Words.hex(UInt64(w.word), digits: 8))]),
            location: write?.location))
      }
    }
    return Dedupe.byMessageShape(out)
  }
}

/// DOMAIN.md §6.1: a B or BL beyond ±128 MiB (the builder could not encode it, and says so),
/// or a branch that reaches no code at all when the state runs.
enum BranchReachCheck {
  static func run(_ c: CheckContext) -> [Finding] {
    var out: [Finding] = []
    for d in c.layout.diagnostics where d.id == LayoutMessage.branchOutOfRange {
      out.append(
        Finding(
          CheckCatalogue.branchReach, message: d.message,
          explanation: "B and BL reach [-128 MiB, +128 MiB) from the branch; beyond that the "
            + "kernel needs a PLT, a literal or a trampoline in range.",
          assumptions: c.placementAssumptions, location: d.location))
    }
    for r in c.runs {
      guard let f = r.fault, case .unmapped(.fetch, let address) = f.reason,
        FaultClassifier.isFinding(f, in: r)
      else { continue }
      let edge = r.branches.last { $0.taken }
      if edge?.kind == .return { continue }  // a lost return address: abi.register-contract
      var lines: [EvidenceLine] = []
      if let e = edge {
        lines.append(CheckContext.line(r, e.from, note: "-> 0x\(Words.hex(e.to))"))
      }
      lines.append(EvidenceLine(address: address, text: "(nothing mapped)", note: "fetch fault"))
      out.append(
        Finding(
          CheckCatalogue.branchReach,
          message: "state \(r.scenario.state.name): "
            + (edge.map { "the branch at \(r.scenario.name($0.from)) " } ?? "a branch ")
            + "goes to 0x\(Words.hex(address)), where there is no code",
          explanation: "The target is neither the trampoline the state names nor any code "
            + "the series defines.",
          state: r.scenario.state.id,
          offset: edge.map { r.scenario.offset(of: $0.from) },
          assumptions: c.placementAssumptions + r.scenario.assumptions,
          evidence: Evidence(blocks: [.init(CheckContext.heading(r), lines)])))
    }
    return Dedupe.byMessageShape(out)
  }
}

func signed(_ offset: Int) -> String { offset < 0 ? "\(offset)" : "+\(offset)" }

/// Findings that say the same thing in several states are reported once, naming the states.
enum Dedupe {
  static func byMessageShape(_ findings: [Finding]) -> [Finding] {
    var order: [String] = []
    var groups: [String: [Finding]] = [:]
    for f in findings {
      var key = f.check.id + "|" + Finding.withoutAddresses(f.message)
      if let s = f.state { key = key.replacingOccurrences(of: "state \(s.description)", with: "") }
      if groups[key] == nil { order.append(key) }
      groups[key, default: []].append(f)
    }
    return order.compactMap { key in
      guard var first = groups[key]?.first, let all = groups[key] else { return nil }
      let others = all.dropFirst().compactMap(\.state).map(\.description)
      if !others.isEmpty {
        first.message +=
          " (also in state\(others.count > 1 ? "s" : "") "
          + others.joined(separator: ", ") + ")"
      }
      return first
    }
  }
}
