import AArch64
import AArch64Emulator
import Analysis
import Testing

/// `abi.pac-order`: a patch-site after PACIASP, and a trampoline that hands back a signed LR,
/// against the usual order and an honest trampoline.
@Suite struct PacOrderTests {
  /// CheckFixtures' trampoline, and `signing_tramp`, which signs X30 before it returns.
  static let entry =
    CheckFixtures.trampoline + """

      \t.globl signing_tramp
      signing_tramp:
      \tbti c
      \tstp x29, x9, [sp, #-16]!
      \tmov x29, sp
      \tldp x29, x9, [sp], #16
      \tmov x10, x30
      \tmov x30, x9
      \tpaciasp
      \tret x10
      \t.size signing_tramp, . - signing_tramp
      """

  static func layout(_ text: String) throws -> Layout {
    var l = try LayoutFile.parse(text, file: "test.layout")
    l.configuration = LayoutConfiguration(name: "test", bti: true)
    l.entryObject = try Assembler.assemble(entry, file: "entry-ftrace.S")
      .link(bases: [".text": CheckFixtures.entryText], symbols: ["ops": Placement().data + 0x200])
    return l
  }

  static func findings(_ l: Layout) -> [Finding] {
    LayoutReview.review(l).findings.filter { $0.check.id == "abi.pac-order" }
  }

  static func signingTramp() throws -> UInt64 {
    let o = try Assembler.assemble(entry, file: "entry-ftrace.S")
    let s = try #require(o.symbols.first { $0.name == "signing_tramp" })
    return CheckFixtures.entryText &+ UInt64(bitPattern: s.offset)
  }

  @Test func firesWhenThePatchSiteComesAfterPACIASP() throws {
    let found = Self.findings(
      try Self.layout(
        """
        state compiled
        0: paciasp
        4: nop
        8: nop
        state near
        0: paciasp
        4: mov x9, x30
        8: bl ftrace_caller
        """))
    #expect(found.count == 1)
    let f = try #require(found.first)
    #expect(f.offset == 4)
    #expect(f.message.contains("after paciasp at func+0"))
    #expect(f.evidence.blocks.first?.lines.first?.note == "signs X30 against SP")
  }

  @Test func quietWhenThePatchSiteComesFirst() throws {
    let found = Self.findings(
      try Self.layout(
        """
        state compiled
        0: bti c
        4: nop
        8: nop
        12: paciasp
        state near
        0: bti c
        4: mov x9, x30
        8: bl ftrace_caller
        12: paciasp
        """))
    #expect(found.isEmpty)
  }

  @Test func firesWhenATrampolineHandsBackASignedLR() throws {
    let tramp = try Self.signingTramp()
    let found = Self.findings(
      try Self.layout(
        """
        symbol signing_tramp = 0x\(String(tramp, radix: 16))
        state near
        0: bti c
        4: mov x9, x30
        8: bl signing_tramp
        """))
    #expect(found.count == 1)
    let f = try #require(found.first)
    #expect(f.message.contains("with a PAC"))
    let x30 = try #require(f.evidence.facts.first { $0.0 == "x30" }?.1)
    let expected = try #require(f.evidence.facts.first { $0.0 == "expected" }?.1)
    #expect(x30 != expected)
  }
}
