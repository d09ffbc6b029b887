import AArch64
import AArch64Emulator
import Diagnostics

/// DOMAIN.md §6.17: words before the function symbol that no symbol covers. With
/// `-fpatchable-function-entry=N,M` and M > 0 every traced function has 4*M bytes in front of
/// its symbol; kallsyms has no sizes, so anything that walks text by symbol (the kprobes
/// blacklist, backtraces) resolves them to the previous function at a large offset. Reported
/// once per layout, with the kallsyms resolution of the first pre-entry address in a run.
enum UnsymbolizedTextCheck {
  static func run(_ c: CheckContext) -> [Finding] {
    // The compiled state says what the flags put before every function; a later state's word
    // outside it is a write into the previous function (the builder's
    // `write-outside-patch-area`), not bytes of this one. Layouts without a compiled state
    // (sketches, hand-written files) have only their states to go by.
    let source = c.layout.state(.compiled).map { [$0] } ?? c.layout.states
    let offsets = Set(source.flatMap { $0.words.map(\.offset).filter { $0 < 0 } })
    guard let first = offsets.min(),
      let state = source.first(where: { $0.words.contains { $0.offset == first } })
    else { return [] }
    let bytes = offsets.count * 4
    let address = state.address(first)
    // The compiled state is not run (nothing branches anywhere from it); any run has the same
    // placement of the function and its neighbour.
    let run = c.runs.first { $0.scenario.state.id == state.id } ?? c.runs.first
    // Only a run's symbol table says what kallsyms would print; without one the words are
    // still before the symbol, but their resolution is not shown.
    var resolution = "no run places the state, so its kallsyms resolution is not shown"
    var lines: [EvidenceLine] = []
    if let r = run {
      let s = r.scenario
      let pre = offsets.sorted().map { s.state.address($0) }
      if pre.contains(where: { s.symbols.lookup($0) != nil }) { return [] }  // covered
      let at = s.state.address(first)
      resolution =
        s.symbols.kallsyms(at).map { "kallsyms resolves 0x\(Words.hex(at)) to \($0)" }
        ?? "kallsyms resolves 0x\(Words.hex(at)) to nothing"
      lines = pre.map { pc in
        CheckContext.line(
          r, pc, note: s.symbols.kallsyms(pc).map { "kallsyms: \($0)" } ?? "no symbol")
      }
    } else {
      lines = state.words.filter { $0.offset < 0 }.map {
        EvidenceLine(address: state.address($0.offset), word: $0.word, text: $0.text)
      }
    }
    let record = c.layout.patchEntryOffset.map {
      ", the patchable-entry record at func\(signed($0))"
    }
    return [
      Finding(
        CheckCatalogue.unsymbolizedText,
        message: "every traced function has \(bytes) bytes before its symbol that no symbol "
          + "covers (from func\(signed(first)))" + (record ?? "") + "; \(resolution)",
        explanation: "kallsyms keeps no sizes: bytes before a function symbol belong, for "
          + "anything that walks text by symbol, to the previous function at a large offset. "
          + "The kprobes blacklist walker turned such bytes at a section start into a bogus "
          + "range in 2026 (kprobe_add_ksym_blacklist, Fixes: baaf553d3bc3).",
        state: state.id, offset: first,
        assumptions: run?.scenario.assumptions ?? c.placementAssumptions,
        evidence: Evidence(
          blocks: [.init(run.map(CheckContext.heading) ?? "state \(state.name)", lines)],
          facts: [("bytes", "\(bytes)"), ("first", "0x" + Words.hex(address))]))
    ]
  }
}
