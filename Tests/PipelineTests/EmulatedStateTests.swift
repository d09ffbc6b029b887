import AArch64
import AArch64Emulator
import Analysis
import TestSupport
import Testing

@testable import Pipeline

/// A layout carries everything the emulator needs to run a state: the callsite's words, the
/// whole assembled `entry-ftrace.S` and the direct trampolines; a scenario places them.
@Suite struct EmulatedStateTests {
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
      #expect(layout.directObject != nil)
      let state = try #require(layout.state(.directNear))
      let scenario = try Scenario.build(layout, state)
      let tramp = try #require(scenario.symbols.symbol(named: DirectTrampoline.nearSymbol))
      let run = scenario.run()
      #expect(run.result.stop == .returned, "\(layout.configName): \(run.result.stop)")
      let pcs = Set(run.steps.map(\.pc))
      #expect(pcs.contains(tramp.address) && pcs.contains(scenario.tracer.address))
      #expect(run.machine.sp == scenario.machine.sp, "the stack is balanced")
      // The trampoline builds both frame records, so the tracer's reliable walk is whole.
      let walk = try #require(run.tracerWalks.first)
      #expect(walk.isReliable, "\(walk.failure.map { "\($0)" } ?? "")")
      #expect(walk.pcs.contains(scenario.returnIntoCaller))
      #expect(
        walk.pcs.contains {
          $0 >= scenario.function.address && $0 < scenario.function.address + scenario.function.size
        })
    }
  }
}
