import AArch64
import AArch64Emulator
import Analysis
import TestSupport
import Testing

@testable import Pipeline

/// Records the address of every instruction executed.
private struct PCs: MachineObserver {
  var seen: [UInt64] = []
  mutating func fetch(pc: UInt64, word: UInt32, btype: UInt8) { seen.append(pc) }
}

/// A layout carries everything the emulator needs to run a state: the callsite's words, the
/// whole assembled `entry-ftrace.S` and the direct trampolines.
@Suite struct EmulatedStateTests {
  /// Loads the state's words at its function address, followed by a `RET` as the function's
  /// body, next to the layout's objects; runs from the function symbol as a direct call does.
  func run(_ layout: Layout, _ state: LayoutState) throws -> (RunResult, Machine, [UInt64]) {
    var m = Machine()
    if let o = layout.entryObject { try m.load(object: o, guarded: true) }
    if let o = layout.directObject { try m.load(object: o, guarded: true) }
    let first = try #require(state.words.first).offset
    let last = try #require(state.words.last).offset
    let area = state.address(first) & ~0xFFF
    try m.map(address: area, size: 0x2000, permissions: .readExecute, guarded: true)
    for w in state.words { try m.write(words: [w.word], at: state.address(w.offset)) }
    try m.write(assembly: ["ret"], at: state.address(last + 4))
    try m.map(address: 0x7FFE_0000, size: 0x1_0000, permissions: .readWrite)
    m.sp = 0x7FFF_0000
    var pcs = PCs()
    m.pc = state.functionAddress
    m.setX(30, Machine.returnAddress)
    let r = m.run(maxSteps: 200, observer: &pcs)
    return (r, m, pcs.seen)
  }

  @Test func aDirectCallRunsThroughTheModelTrampolineAndReturns() throws {
    let set = try SeriesInputs(
      inputs: [Tools.packageRoot() + "/Series/direct-calls/series.mbox"],
      tree: Tools.packageRoot() + "/Series/base"
    ).load()
    let layouts = LayoutPipeline.layouts(set: set).filter {
      $0.configuration.options.contains("DYNAMIC_FTRACE_WITH_DIRECT_CALLS")
    }
    #expect(!layouts.isEmpty)
    for layout in layouts {
      let objects = try #require(layout.directObject)
      let table = SymbolTable(object: objects)
      let tramp = try #require(table.symbol(named: DirectTrampoline.nearSymbol)).address
      let handler = try #require(table.symbol(named: DirectTrampoline.handlerSymbol)).address
      let state = try #require(layout.state(.directNear))
      let (result, machine, seen) = try run(layout, state)
      #expect(result.stop == .returned, "\(layout.configName): \(result.stop)")
      #expect(seen.contains(tramp) && seen.contains(handler), "\(layout.configName)")
      #expect(machine.sp == 0x7FFF_0000, "the stack is balanced")
    }
  }
}
