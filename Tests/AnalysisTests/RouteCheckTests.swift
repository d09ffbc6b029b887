import AArch64
import Analysis
import Testing

private func layout(_ text: String, recordOffset: Int? = 8) throws -> Layout {
  var l = try LayoutFile.parse(text, file: "route.layout")
  l.configuration = LayoutConfiguration(name: "test", bti: true)
  let p = Placement()
  l.entryObject = try Assembler.assemble(CheckFixtures.trampoline, file: "entry-ftrace.S")
    .link(bases: [".text": p.entryText], symbols: ["ops": p.data + 0x200])
  l.recordOffset = recordOffset
  return l
}

private func ids(_ l: Layout) -> [String] { LayoutReview.review(l).findings.map(\.check.id) }

@Suite struct RouteCheckTests {
  @Test func aFarStateThatNeverLeavesTheFunctionHasNoRoute() throws {
    let bad = """
      state far module
      0: bti c
      4: mov x9, x30
      8: .inst 0xd4202000
      """
    #expect(ids(try layout(bad)).contains("range.far-fallback"))
    // Through the module's PLT, it has one.
    let good = bad.replacingOccurrences(
      of: "8: .inst 0xd4202000", with: "8: bl 0x\(String(Placement().modulePLT, radix: 16))")
    #expect(!ids(try layout(good)).contains("range.far-fallback"))
  }

  @Test func recordOffsetMustHoldTheCallInStateNear() throws {
    let near = """
      state near
      0: bti c
      4: mov x9, x30
      8: bl ftrace_caller
      """
    #expect(!ids(try layout(near, recordOffset: 8)).contains("abi.record-offset"))
    let l = try layout(near, recordOffset: 4)
    let f = try #require(
      LayoutReview.review(l).findings.first { $0.check.id == "abi.record-offset" })
    #expect(f.message.contains("the call is at func+8"))
  }

  @Test func dynamicTrampolinesAreCounted() throws {
    let direct = Placement().nearTrampoline
    let viaTramp = """
      state tramp-near
      0: bti c
      4: mov x9, x30
      8: bl 0x\(String(direct, radix: 16))
      """
    let f = try #require(
      LayoutReview.review(try layout(viaTramp)).findings.first {
        $0.check.id == "unwind.trampoline-identification"
      })
    #expect(f.severity == .warning)
    #expect(f.message.contains(DirectTrampoline.nearSymbol))
    let viaCaller = """
      state near
      0: bti c
      4: mov x9, x30
      8: bl ftrace_caller
      """
    #expect(!ids(try layout(viaCaller)).contains("unwind.trampoline-identification"))
  }
}

@Suite struct CacheMaintenanceCheckTests {
  func transition(api: WriteAPI, width: Int, offset: Int, new: UInt64) -> LayoutTransition {
    LayoutTransition(
      from: .initialized, to: .near, function: "ftrace_make_call",
      writes: [
        LayoutWrite(
          offset: offset, old: 0, new: new, width: width, api: api,
          function: api == .writeLiteralU64
            ? "aarch64_insn_write_literal_u64" : "aarch64_insn_patch_text_nosync",
          text: "", location: nil)
      ], concurrent: true, location: nil)
  }

  /// The literal two words below the call ops' usual place, so the data store is right.
  let text = """
    symbol ftrace_nop_ops = 0xffff800082000000
    state init
    -16: .quad ftrace_nop_ops
    -8: nop
    -4: nop
    0: bti c
    4: mov x9, x30
    8: nop
    state near
    -16: .quad ftrace_nop_ops
    -8: nop
    -4: nop
    0: bti c
    4: mov x9, x30
    8: bl ftrace_caller
    """

  @Test func anInstructionWrittenAsDataIsFlaggedAndALiteralIsNot() throws {
    var l = try LayoutFile.parse(text, file: "cache.layout")
    l.configuration = LayoutConfiguration(name: "test", bti: true)
    let bl = UInt64(try #require(l.state(.near)?.word(at: 8)).word)
    l.transitions = [transition(api: .writeLiteralU64, width: 8, offset: 4, new: bl << 32)]
    let ids = LayoutReview.review(l).findings.map(\.check.id)
    #expect(ids.contains("live-patch.cache-maintenance"))
    l.transitions = [
      transition(api: .writeLiteralU64, width: 8, offset: -16, new: 0xffff_8000_8200_0000),
      transition(api: .patchTextNosync, width: 4, offset: 8, new: bl),
    ]
    #expect(
      !LayoutReview.review(l).findings.map(\.check.id).contains("live-patch.cache-maintenance"))
  }
}

@Suite struct FrameRecordsCheckTests {
  /// A trampoline that builds only its own record: the caller is in no record.
  static let ownRecordOnly = CheckFixtures.trampoline
    .replacingOccurrences(of: "\tstp x29, x9, [sp, #-16]!\n\tmov x29, sp\n", with: "")
    .replacingOccurrences(of: "\tldp x29, x9, [sp], #16\n", with: "")

  func review(_ entry: String) throws -> LayoutReview {
    var l = try LayoutFile.parse(
      "state near\n0: bti c\n4: mov x9, x30\n8: bl ftrace_caller\n", file: "records.layout")
    l.configuration = LayoutConfiguration(name: "test", bti: true)
    let p = Placement()
    l.entryObject = try Assembler.assemble(entry, file: "entry-ftrace.S")
      .link(bases: [".text": p.entryText], symbols: ["ops": p.data + 0x200])
    return LayoutReview.review(l)
  }

  @Test func aMissingCallsiteRecordIsFlaggedAndBothRecordsAreQuiet() throws {
    let bad = try review(Self.ownRecordOnly)
    let f = try #require(bad.findings.first { $0.check.id == "unwind.frame-records" })
    #expect(f.message.contains("the callsite record is missing"))
    let good = try review(CheckFixtures.trampoline)
    #expect(!good.findings.contains { $0.check.id == "unwind.frame-records" })
  }
}
