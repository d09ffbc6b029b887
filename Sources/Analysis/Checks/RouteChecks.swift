import AArch64
import AArch64Emulator
import Diagnostics

/// The states that call a target out of BL range of the callsite.
let farStates: Set<StateID> = [
  .far, .regsFar, .directFar, .trampolineFar, .directBeyond, .trampolineBeyond,
]

/// The trampoline code a run executed that is neither the traced function, nor Patchsite's
/// own helpers, nor `entry-ftrace.S`'s (`static`): its symbols, in order of first execution.
func trampolinesReached(_ r: ScenarioRun, entry: AssembledObject?) -> [String] {
  let s = r.scenario
  let own = Set(s.modelled.map(\.name)).union([s.function.name, s.tracer.name])
  let entryNames = Set(entry.map { SymbolTable(object: $0).symbols.map(\.name) } ?? [])
  var out: [String] = []
  for step in r.steps where step.pc < s.patchStart || step.pc >= s.patchEnd {
    guard let sym = s.symbols.lookup(step.pc)?.symbol, !own.contains(sym.name) else { continue }
    if !out.contains(sym.name) { out.append(sym.name) }
  }
  return out.filter { !entryNames.contains($0) }
}

/// DOMAIN.md §6.4: every state whose target is out of BL range has a route to it: the
/// module's PLT, ftrace_caller through the ops (CALL_OPS and `ops->direct_call`), or a
/// literal. A far state whose callsite never leaves the function has none.
enum FarFallbackCheck {
  static func run(_ c: CheckContext) -> [Finding] {
    var out: [Finding] = []
    for r in c.runs where farStates.contains(r.scenario.state.id) {
      let s = r.scenario
      // Outside the function and the code that calls it.
      let callers: Set<String> = ["patchsite_caller", "patchsite_task_entry"]
      let left = r.steps.contains { step in
        (step.pc < s.patchStart || step.pc >= s.function.address + s.function.size)
          && !callers.contains(s.symbols.lookup(step.pc)?.symbol.name ?? "")
      }
      guard !left else { continue }
      // A run that stopped before the call slot (a fault on a word in front of it) says
      // nothing about the route; what stopped it is another finding's.
      if let o = c.layout.recordOffset, r.fault != nil,
        !r.steps.contains(where: { $0.pc == s.state.address(o) })
      {
        continue
      }
      let slot = c.layout.recordOffset.flatMap { s.state.word(at: $0) }
      out.append(
        Finding(
          CheckCatalogue.farFallback,
          message: "state \(s.state.name): the callsite never leaves the function"
            + (slot.map { ", its call slot holds `\($0.text)`" } ?? "")
            + "; nothing routes it to a target out of BL range",
          explanation: "A target beyond ±128 MiB needs a route: the module's ftrace PLT, "
            + "ftrace_caller with the ops (ops->direct_call), or a literal the callsite loads. "
            + "In core kernel text there is no PLT, so a far target is an error there.",
          state: s.state.id, offset: c.layout.recordOffset, assumptions: c.placementAssumptions,
          evidence: Evidence(blocks: [.init(CheckContext.heading(r), CheckContext.tail(r, 6))])))
    }
    return out
  }
}

/// DOMAIN.md §6.7: `rec->ip` (after `ftrace_call_adjust`) is the word ftrace patches; in a
/// state that calls the trampoline it must hold that call.
enum RecordOffsetCheck {
  static func run(_ c: CheckContext) -> [Finding] {
    guard let offset = c.layout.recordOffset, let near = c.layout.state(.near),
      let w = near.word(at: offset)
    else { return [] }
    if case .branch(link: true, _)? = A64.decode(w.word).instruction { return [] }
    let call = near.words.first { word in
      if case .branch(link: true, _)? = A64.decode(word.word).instruction { return true }
      return false
    }
    return [
      Finding(
        CheckCatalogue.recordOffset,
        message: "rec->ip is func\(signed(offset)), which holds `\(w.text)` in state near"
          + (call.map { "; the call is at func\(signed($0.offset))" } ?? ""),
        explanation: "ftrace_call_adjust must step the recorded address (the first patchable "
          + "NOP, after any BTI) onto the word that becomes the BL; ftrace validates and "
          + "patches rec->ip.",
        state: .near, offset: offset,
        evidence: Evidence(
          blocks: [
            .init(
              "state near",
              near.words.map {
                EvidenceLine(
                  address: near.address($0.offset), word: $0.word, text: $0.text,
                  note: $0.offset == offset ? "rec->ip" : "")
              })
          ]))
    ]
  }
}

/// DOMAIN.md §6.21: trampolines allocated at run time (not in `entry-ftrace.S`) on the
/// path of ordinary tracing. A reliable unwinder must recognise each of them; one static
/// trampoline is easy to identify, many dynamic ones are not. Direct-call states are left
/// out: a direct call is a dynamic trampoline by definition.
enum TrampolineIdentificationCheck {
  static func run(_ c: CheckContext) -> [Finding] {
    var reached: [(StateID, String)] = []
    for r in c.runs {
      for t in trampolinesReached(r, entry: c.layout.entryObject)
      where t != "<module ftrace PLT>" {
        reached.append((r.scenario.state.id, t))
      }
    }
    guard let first = reached.first else { return [] }
    let states = Array(Set(reached.map { $0.0.description })).sorted()
    let names = Array(Set(reached.map(\.1))).sorted()
    return [
      Finding(
        CheckCatalogue.trampolineIdentification,
        message: "state\(states.count == 1 ? "" : "s") " + states.joined(separator: ", ")
          + (states.count == 1 ? " calls " : " call ") + "\(Set(reached.map(\.1)).count) trampoline"
          + "\(Set(reached.map(\.1)).count == 1 ? "" : "s") allocated outside entry-ftrace.S: "
          + names.joined(separator: ", "),
        explanation: "Each trampoline allocated at run time must be recognised by a reliable "
          + "unwinder; with one static ftrace_caller that is a single address range.",
        state: first.0, assumptions: c.placementAssumptions,
        evidence: Evidence(facts: [("trampolines", "\(names.count)")]))
    ]
  }
}
