import AArch64
import Analysis
import Testing

@testable import Analysis

private let trampoline = CheckFixtures.trampoline

private let states = """
  state init
  0: bti c
  4: nop
  8: nop
  state near
  0: bti c
  4: mov x9, x30
  8: bl ftrace_caller
  """

private func layout(writes: [(Int, UInt32, UInt32)]) throws -> Layout {
  var l = try LayoutFile.parse(states, file: "mix.layout")
  l.configuration = LayoutConfiguration(name: "test", bti: true)
  let p = Placement()
  l.entryObject = try Assembler.assemble(trampoline, file: "entry-ftrace.S")
    .link(bases: [".text": p.entryText], symbols: ["ops": p.data + 0x200])
  l.transitions = [
    LayoutTransition(
      from: .initialized, to: .near, function: "ftrace_make_call",
      writes: writes.map { offset, old, new in
        LayoutWrite(
          offset: offset, old: UInt64(old), new: UInt64(new), width: 4, api: .patchTextNosync,
          function: "aarch64_insn_patch_text_nosync", text: "", location: nil)
      }, concurrent: true, location: nil)
  ]
  return l
}

@Suite struct IntermediateStateTests {
  func words(_ l: Layout) throws -> (mov: UInt32, bl: UInt32) {
    let near = try #require(l.state(.near))
    return (try #require(near.word(at: 4)).word, try #require(near.word(at: 8)).word)
  }

  @Test func aBLWrittenBeforeTheMovIsSeenWithoutItAndLosesTheReturn() throws {
    let probe = try layout(writes: [])
    let (mov, bl) = try words(probe)
    // The BL first: a CPU that sees the BL but not yet the MOV enters the trampoline with
    // X9 unset.
    let bad = try layout(writes: [(8, Words.nop, bl), (4, Words.nop, mov)])
    let findings = IntermediateStateCheck.run(
      CheckContext(layout: bad, runs: reviewRuns(bad)))
    let f = try #require(findings.first)
    #expect(f.check.id == "live-patch.intermediate-state")
    #expect(f.message.contains("func+8 new, func+4 old"))
  }

  /// More writes than Patchsite enumerates: a note says the mixes were not emulated.
  @Test func aTransitionWithTooManyWritesIsSaidNotSkipped() throws {
    let writes = (0..<(IntermediateStateCheck.maxWrites + 1)).map { k in
      (-4 * (k + 1), Words.nop, Words.ret)
    }
    let l = try layout(writes: writes)
    let findings = IntermediateStateCheck.run(CheckContext(layout: l, runs: reviewRuns(l)))
    let f = try #require(findings.first)
    #expect(f.severity == .note)
    #expect(f.message.contains("were not emulated"))
  }

  @Test func everyOrderIsCheckedAndInitTimeWritesAreNot() throws {
    let probe = try layout(writes: [])
    let (mov, bl) = try words(probe)
    // MOV then BL: the mix "MOV new, BL old" runs (the BL slot is still a NOP), but another
    // CPU may see the writes in either order.
    let good = try layout(writes: [(4, Words.nop, mov), (8, Words.nop, bl)])
    let findings = IntermediateStateCheck.run(
      CheckContext(layout: good, runs: reviewRuns(good)))
    // The mix "BL new, MOV old" exists whatever the order: any CPU may see the writes in any
    // order. It fails here too, which is why the kernel writes the MOV at init time.
    #expect(findings.count == 1)
    // Written at init time (not concurrent), there is nothing to check.
    var initTime = good
    initTime.transitions[0].concurrent = false
    #expect(
      IntermediateStateCheck.run(CheckContext(layout: initTime, runs: reviewRuns(initTime)))
        .isEmpty)
  }

  /// Each state placed and run, as `LayoutReview` does.
  func reviewRuns(_ l: Layout) -> [ScenarioRun] {
    l.states.compactMap { s in
      do throws(ScenarioError) {
        return try Scenario.build(l, s).run()
      } catch {
        Issue.record("state \(s.name): \(error)")
        return nil
      }
    }
  }

  /// CALL_OPS' order: the literal (one aligned 64-bit store) and the BL, each mix valid.
  @Test func aLiteralAndABLWhoseEveryMixRunsAreQuiet() throws {
    let text = """
      symbol ftrace_nop_ops = 0xffff800082000000
      symbol own_ops = 0xffff800082000200
      state init
      -8: .quad ftrace_nop_ops
      0: bti c
      4: mov x9, x30
      8: nop
      state near
      -8: .quad own_ops
      0: bti c
      4: mov x9, x30
      8: bl ftrace_caller
      """
    var l = try LayoutFile.parse(text, file: "ops.layout")
    l.configuration = LayoutConfiguration(name: "test", bti: true)
    let p = Placement()
    l.entryObject = try Assembler.assemble(trampoline, file: "entry-ftrace.S")
      .link(bases: [".text": p.entryText], symbols: ["ops": p.data + 0x200])
    let bl = try #require(l.state(.near)?.word(at: 8)).word
    l.transitions = [
      LayoutTransition(
        from: .initialized, to: .near, function: "ftrace_make_call",
        writes: [
          LayoutWrite(
            offset: -8, old: 0xffff_8000_8200_0000, new: 0xffff_8000_8200_0200, width: 8,
            api: .writeLiteralU64, function: "aarch64_insn_write_literal_u64",
            text: ".quad own_ops", location: nil),
          LayoutWrite(
            offset: 8, old: UInt64(Words.nop), new: UInt64(bl), width: 4, api: .patchTextNosync,
            function: "aarch64_insn_patch_text_nosync", text: "bl ftrace_caller", location: nil),
        ], concurrent: true, location: nil)
    ]
    #expect(IntermediateStateCheck.run(CheckContext(layout: l, runs: reviewRuns(l))).isEmpty)
  }
}
