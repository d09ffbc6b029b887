import AArch64
import AArch64Emulator
import Analysis
import Diagnostics
import Testing

/// Each check fires on a small bad layout and stays quiet on the good one. The layouts are
/// hand-written (LayoutFile) with a small `entry-ftrace.S` of the test's own, assembled at
/// the placement's entry-text address.
private let entryText = CheckFixtures.entryText
private func at(_ offset: Int) -> String { CheckFixtures.at(offset) }
private let goodTrampoline = CheckFixtures.trampoline

private func layout(
  _ text: String, bti: Bool = true, entry: String? = goodTrampoline,
  transitions: [LayoutTransition] = []
) throws -> Layout {
  var l = try LayoutFile.parse(text, file: "test.layout")
  l.configuration = LayoutConfiguration(name: "test", bti: bti)
  if let entry {
    l.entryObject = try Assembler.assemble(entry, file: "entry-ftrace.S")
      .link(bases: [".text": entryText], symbols: ["ops": Placement().data + 0x200])
  }
  l.transitions = transitions
  return l
}

private func ids(_ r: LayoutReview) -> [String] { r.findings.map(\.check.id) }

private let goodNear = """
  state near
  0: bti c
  4: mov x9, x30
  8: bl ftrace_caller
  """

@Suite struct CheckTests {
  @Test func aGoodCallsiteRunsCleanAndTheTracerSeesTheWholeChain() throws {
    let r = LayoutReview.review(try layout(goodNear))
    #expect(r.findings.filter { $0.severity == .error }.isEmpty, "\(r.findings.map(\.message))")
    #expect(r.scenarios == 1)
    #expect(r.diagnostics.isEmpty, "\(r.diagnostics)")
  }

  @Test func landingPadFiresOnABranchTheTargetDoesNotAccept() throws {
    // The same trampoline entered by BR X10 (BTYPE 3) through a literal: `bti c` refuses it.
    let bad = """
      symbol tramp = 0x\(String(entryText, radix: 16))
      state far
      -8: .quad tramp
      0: bti c
      4: mov x9, x30
      8: ldr x10, \(at(-8))
      12: br x10
      """
    let r = LayoutReview.review(try layout(bad))
    let f = try #require(r.findings.first { $0.check.id == "bti.landing-pad" })
    #expect(f.message.contains("BTYPE 3"))
    #expect(f.evidence.facts.contains { $0.0 == "esr" && $0.1 == "0x36000003" })
    // Through X16 it is BTYPE 1, which `bti c` accepts.
    let good = bad.replacingOccurrences(of: "x10", with: "x16")
    #expect(!ids(LayoutReview.review(try layout(good))).contains("bti.landing-pad"))
  }

  @Test func entryPadFiresWhenTheSymbolIsNotALandingPad() throws {
    let bad = goodNear.replacingOccurrences(of: "0: bti c", with: "0: nop")
    #expect(ids(LayoutReview.review(try layout(bad))).contains("bti.entry-pad"))
    #expect(!ids(LayoutReview.review(try layout(bad, bti: false))).contains("bti.entry-pad"))
    #expect(!ids(LayoutReview.review(try layout(goodNear))).contains("bti.entry-pad"))
  }

  @Test func generatorSentinelFiresOnBRK0x100() throws {
    let bad = goodNear.replacingOccurrences(of: "8: bl ftrace_caller", with: "8: .inst 0xd4202000")
    #expect(ids(LayoutReview.review(try layout(bad))).contains("range.generator-sentinel"))
    #expect(!ids(LayoutReview.review(try layout(goodNear))).contains("range.generator-sentinel"))
  }

  @Test func branchReachFiresOnABranchToNothing() throws {
    let bad = goodNear.replacingOccurrences(
      of: "8: bl ftrace_caller", with: "8: bl \(at(0x100000))")
    let r = LayoutReview.review(try layout(bad))
    #expect(ids(r).contains("range.branch-reach"), "\(r.findings.map(\.message))")
    #expect(!ids(LayoutReview.review(try layout(goodNear))).contains("range.branch-reach"))
  }

  @Test func registerContractFiresWhenX9DoesNotHoldTheReturnAddress() throws {
    let bad = goodNear.replacingOccurrences(of: "4: mov x9, x30", with: "4: nop")
    let r = LayoutReview.review(try layout(bad))
    let f = try #require(r.findings.first { $0.check.id == "abi.register-contract" })
    #expect(f.message.contains("never executed `mov x9, x30`"))
    #expect(!ids(LayoutReview.review(try layout(goodNear))).contains("abi.register-contract"))
  }

  @Test func preEntryExecutionAndItsUnwindingAreFlagged() throws {
    // Entered at the symbol, the pre-entry words do not run; call them instead.
    let viaPreEntry = """
      state near
      -8: bl ftrace_caller
      -4: b \(at(12))
      0: bti c
      4: mov x9, x30
      8: b \(at(-8))
      """
    let r = LayoutReview.review(try layout(viaPreEntry))
    #expect(ids(r).contains("unwind.pre-entry-executed"), "\(r.findings.map(\.message))")
    let walk = r.findings.filter { $0.check.id == "unwind.walk" }
    #expect(walk.contains { $0.message.contains("patchsite_previous_function") })
    let good = LayoutReview.review(try layout(goodNear))
    #expect(!ids(good).contains("unwind.pre-entry-executed"))
    #expect(!good.findings.contains { $0.check.id == "unwind.walk" && $0.severity == .error })
  }

  @Test func unsafeWordChangeFiresOutsideTheSafeSet() throws {
    func t(_ old: UInt32, _ new: UInt32, concurrent: Bool, api: WriteAPI = .patchTextNosync)
      -> LayoutTransition
    {
      LayoutTransition(
        from: .near, to: .near, function: "ftrace_make_call",
        writes: [
          LayoutWrite(
            offset: 4, old: UInt64(old), new: UInt64(new), width: 4, api: api,
            function: "aarch64_insn_patch_text_nosync", text: "", location: nil)
        ], concurrent: concurrent, location: nil)
    }
    let mov: UInt32 = 0xaa1e_03e9
    let bl: UInt32 = 0x9400_0010
    let bad = try layout(goodNear, transitions: [t(Words.nop, mov, concurrent: true)])
    #expect(ids(LayoutReview.review(bad)).contains("live-patch.unsafe-word-change"))
    for good in [
      t(Words.nop, bl, concurrent: true), t(Words.nop, mov, concurrent: false),
      t(Words.nop, mov, concurrent: true, api: .patchText),
    ] {
      #expect(
        !ids(LayoutReview.review(try layout(goodNear, transitions: [good]))).contains(
          "live-patch.unsafe-word-change"))
    }
    // BTI is a hint but not NOP: not in the safe set.
    let bti: UInt32 = 0xd503_245f
    let hint = try layout(goodNear, transitions: [t(Words.nop, bti, concurrent: true)])
    #expect(ids(LayoutReview.review(hint)).contains("live-patch.unsafe-word-change"))
  }

  @Test func literalAlignmentFiresOnAMisalignedOrHalfWrittenLiteral() throws {
    let text = """
      symbol ftrace_nop_ops = 0xffff800082000000
      state near
      -12: .quad ftrace_nop_ops
      -4: nop
      0: bti c
      4: mov x9, x30
      8: bl ftrace_caller
      """
    func t(offset: Int, width: Int) -> LayoutTransition {
      LayoutTransition(
        from: .near, to: .near, function: "ftrace_rec_set_ops",
        writes: [
          LayoutWrite(
            offset: offset, old: 0, new: 0xffff_8000_8200_0000, width: width,
            api: .writeLiteralU64, function: "aarch64_insn_write_literal_u64", text: ".quad ops",
            location: nil)
        ], concurrent: true, location: nil)
    }
    // The symbol is 0x...100 (8-aligned): func-12 is 4 mod 8.
    let r = LayoutReview.review(try layout(text, transitions: [t(offset: -12, width: 8)]))
    let f = try #require(r.findings.first { $0.check.id == "alignment.literal" })
    #expect(f.evidence.facts.contains { $0.0 == "mod8" && $0.1 == "4" })
    let half = LayoutReview.review(try layout(text, transitions: [t(offset: -12, width: 4)]))
    #expect(half.findings.contains { $0.check.id == "alignment.literal" })
    let aligned = text.replacingOccurrences(of: "-12: .quad", with: "-16: .quad")
      .replacingOccurrences(of: "-4: nop", with: "-8: nop\n-4: nop")
    let ok = LayoutReview.review(try layout(aligned, transitions: [t(offset: -16, width: 8)]))
    #expect(!ok.findings.contains { $0.check.id == "alignment.literal" })
  }

  @Test func theReturnAddressWindowIsMeasuredInTheTrampoline() throws {
    let r = LayoutReview.review(try layout(goodNear))
    let f = try #require(r.findings.first { $0.check.id == "unwind.return-address-window" })
    #expect(f.severity == .warning)
    // bti c and the STP that saves x9: the window is the trampoline's first two instructions,
    // and its exit after the record is popped.
    let n = try #require(Int(f.evidence.facts.first { $0.0 == "instructions" }?.1 ?? ""))
    #expect(n >= 2 && n <= 8, "\(f.message)")
  }

  @Test func theCatalogueHasEveryCheckOnceWithItsCategory() {
    let ids = CheckCatalogue.all.map(\.id)
    #expect(Set(ids).count == ids.count)
    #expect(CheckCatalogue.all.count == 26)
    #expect(Set(CheckCatalogue.all.map(\.catalogueNumber)) == Set(1...26))
    for c in CheckCatalogue.all {
      #expect(c.id.hasPrefix(c.category.rawValue + "."), "\(c.id)")
    }
    #expect(CheckCatalogue.runners.allSatisfy { r in ids.contains(r.0.id) })
  }

  @Test func aFingerprintLeavesOutAddressesAndKeepsShortNumbers() throws {
    let check = try #require(CheckCatalogue.all.first)
    let f = Finding(
      check,
      message:
        "BL at ffff800008010a2c cannot reach 0xdeadbeef00 (+0x8000000, x9, 1234567, ünïcode ①)",
      state: .near)
    #expect(
      f.fingerprint
        == "\(check.id)|state=near|BL at ADDR cannot reach 0xADDR (+0x8000000, x9, 1234567, ünïcode ①)"
    )
    // A run at the very end is replaced too.
    let g = Finding(check, message: "at 00000000cafef00d")
    #expect(g.fingerprint == "\(check.id)|at ADDR")
  }
}
