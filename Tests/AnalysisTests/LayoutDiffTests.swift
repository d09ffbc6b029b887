import Analysis
import Testing

private func state(_ name: String, _ words: [(Int, UInt32, WordKind, String)]) -> LayoutState {
  LayoutState(
    name: name, words: words.map { LayoutWord(offset: $0.0, word: $0.1, kind: $0.2, text: $0.3) },
    placement: .core, functionAddress: 0x1000)
}

@Test func movedLiteralAndRecordAreSummarised() {
  let v1 = Layout(
    version: 1, source: "v1", configuration: LayoutConfiguration(name: "c"),
    states: [
      state(
        "compiled",
        [
          (-8, 0xd503201f, .insn, "nop"), (-4, 0xd503201f, .insn, "nop"),
          (0, 0xd503201f, .insn, "nop"),
        ]),
      state(
        "init",
        [
          (-8, 1, .literal, ".quad a (low)"), (-4, 0, .literal, ".quad a (high)"),
          (0, 0xaa1e03e9, .insn, "mov x9, x30"),
        ]),
    ], recordOffset: 4)
  let v2 = Layout(
    version: 2, source: "v2", configuration: LayoutConfiguration(name: "c"),
    states: [
      state(
        "compiled",
        [
          (-16, 0xd503201f, .insn, "nop"), (-12, 0xd503201f, .insn, "nop"),
          (-8, 0xd503201f, .insn, "nop"), (-4, 0xd503201f, .insn, "nop"),
          (0, 0xd503201f, .insn, "nop"),
        ]),
      state(
        "init",
        [
          (-16, 1, .literal, ".quad a (low)"), (-12, 0, .literal, ".quad a (high)"),
          (0, 0xaa1e03e9, .insn, "mov x9, x30"),
        ]),
      state("far", [(0, 0xaa1e03e9, .insn, "mov x9, x30")]),
    ], recordOffset: 8)
  let c = v2.changes(since: v1)
  #expect(c.since == 1)
  #expect(c.summary.contains("rec->ip (the BL slot) moved from func+4 to func+8"))
  #expect(c.summary.contains("the 64-bit literal moved from func-8 to func-16"))
  #expect(
    c.summary.contains("the compiled patch area changed from 2 pre-entry + 1 entry words to 4 + 1"))
  let initChanges = c.states.first { $0.name == "init" }
  #expect(initChanges?.words.map(\.offset) == [-16, -12, -8, -4])
  #expect(c.states.first { $0.name == "far" }?.presence == .added)
}

@Test func identicalLayoutsHaveNoChanges() {
  let s = state("init", [(0, 0xaa1e03e9, .insn, "mov x9, x30"), (4, 0xd503201f, .insn, "nop")])
  let a = Layout(
    version: 1, source: "a", configuration: LayoutConfiguration(name: "c"), states: [s],
    recordOffset: 4)
  var b = a
  b.version = 2
  #expect(b.changes(since: a).isEmpty)
}
