import AArch64
import AArch64Emulator
import Diagnostics

/// DOMAIN.md §6.14: while a transition's writes land, another CPU may see any mix of old and
/// new words (instruction fetch is not ordered with the writer's stores; each word, and each
/// aligned literal, is seen whole, old or new). Every mix must run as well as both ends do.
///
/// For a transition whose ends both run to completion, every subset of its writes (at most
/// `maxWrites` writes, so 2^n mixes) is applied to the old state, placed and run; a mix that
/// faults or loses its way is a finding, with the mix as evidence.
enum IntermediateStateCheck {
  static let maxWrites = 6

  static func run(_ c: CheckContext) -> [Finding] {
    var out: [Finding] = []
    // Faults the layout's own states already show are reported by the other checks.
    let known = Set(c.runs.compactMap { $0.fault.map { "\($0.kind)@\($0.pc)" } })
    let clean = Set(
      c.runs.filter { $0.result.stop == .returned }.map(\.scenario.state.id))
    for t in c.layout.transitions where t.concurrent {
      let writes = t.writes.filter { $0.old != $0.new }
      if writes.count > maxWrites {
        // 2^n runs are too many to enumerate here: said, not skipped silently.
        out.append(
          Finding(
            CheckCatalogue.intermediateState, severity: .note,
            message:
              "\(t.function) (\(t.from) -> \(t.to)) writes \(writes.count) words while other "
              + "CPUs run the function; the \(1 << writes.count) mixes of old and new were not "
              + "emulated (Patchsite enumerates up to \(maxWrites) writes)",
            transition: (t.from, t.to), location: t.location))
        continue
      }
      guard writes.count >= 2,
        clean.contains(t.from), clean.contains(t.to), let from = c.layout.state(t.from)
      else { continue }
      guard let to = c.layout.state(t.to) else { continue }
      for mask in 1..<((1 << writes.count) - 1) {
        var mixed = from
        // The old words where the new state is placed (a transition to `far` moves the
        // function into a module).
        mixed.placement = to.placement
        mixed.functionAddress = to.functionAddress
        mixed.symbols = from.symbols.merging(to.symbols) { _, new in new }
        mixed.id = .named("\(t.from)->\(t.to) mix \(mask)")
        var seen: [String] = []
        for (k, w) in writes.enumerated() {
          if mask & (1 << k) != 0 {
            apply(w, to: &mixed)
            seen.append("func\(signed(w.offset)) new")
          } else {
            seen.append("func\(signed(w.offset)) old")
          }
        }
        let scenario: Scenario
        do throws(ScenarioError) {
          scenario = try Scenario.build(c.layout, mixed)
        } catch {
          // A mix that cannot be placed is one the ends could be: the review of the ends
          // already reports why.
          continue
        }
        let r = scenario.run()
        if r.result.stop == .returned { continue }
        if let f = r.fault {
          if !FaultClassifier.isFinding(f, in: r) || known.contains("\(f.kind)@\(f.pc)") {
            continue
          }
        }
        var lines: [EvidenceLine] = writes.enumerated().map { k, w in
          let isNew = mask & (1 << k) != 0
          return EvidenceLine(
            address: mixed.address(w.offset), text: isNew ? w.text : "(old)",
            note: "\(k + 1). \(w.api.rawValue): seen \(isNew ? "new" : "old")")
        }
        lines += CheckContext.tail(r, 4)
        out.append(
          Finding(
            CheckCatalogue.intermediateState,
            message: "\(t.function) (\(t.from) -> \(t.to)): a CPU that sees "
              + seen.joined(separator: ", ") + " does not run through: "
              + (r.fault.map { "\($0)" } ?? "no return within the step budget"),
            explanation: "Other CPUs run the function while the writes land and may see any of "
              + "them before the others. Order the writes so that every mix is a valid "
              + "callsite (as CALL_OPS writes the ops literal before the BL), or make the "
              + "change under stop_machine.",
            transition: (t.from, t.to), offset: writes.first?.offset,
            assumptions: scenario.assumptions,
            evidence: Evidence(
              blocks: [.init(CheckContext.heading(r), lines)],
              facts: [("mask", "\(mask)"), ("writes", "\(writes.count)")]),
            location: writes.first?.location ?? t.location))
        break  // one failing mix per transition is enough evidence
      }
    }
    return out
  }

  /// `w` applied to `state`: an instruction word, or the two halves of a literal.
  static func apply(_ w: LayoutWrite, to state: inout LayoutState) {
    if w.width == 8 {
      state.set(
        LayoutWord(
          offset: w.offset, word: UInt32(truncatingIfNeeded: w.new), kind: .literal,
          text: w.text + " (low)"))
      state.set(
        LayoutWord(
          offset: w.offset + 4, word: UInt32(truncatingIfNeeded: w.new >> 32), kind: .literal,
          text: w.text + " (high)"))
    } else {
      let word = UInt32(truncatingIfNeeded: w.new)
      state.set(
        LayoutWord(
          offset: w.offset, word: word, kind: .insn,
          text: Words.text(word, at: state.address(w.offset))))
    }
  }
}
