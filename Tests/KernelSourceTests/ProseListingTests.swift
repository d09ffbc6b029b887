import Diagnostics
import TestSupport
import Testing

@testable import KernelSource

@Suite struct ProseListingTests {
  @Test func statesUnderHeadingsWithLabelsAndLiterals() {
    let body = """
      Here is how I would lay it out. Before any patching the compiler gives us:

      \tpre_func:
      \t\tNOP
      \t\tNOP
      \tfunc:
      \t\tBTI\tC
      \t\tNOP
      \t\tNOP

      When disabled, patch it to:

      \tpre_func:
      \t\t.quad\t<nop ops>\t// the literal
      \tfunc:
      \t\tBTI\tC
      \t\tMOV\tX9, X30
      \t\tNOP

      and b is not a listing, nor is this line.

        and then we patch the call site
        b is taken when the range allows
      """
    let ls = ProseListings.extract(body: body, file: "m.eml", firstLine: 10)
    #expect(ls.count == 2)
    #expect(ls[0].heading == "Before any patching the compiler gives us:")
    #expect(ls[0].states == ["compiled"])
    #expect(ls[0].lines.map(\.mnemonic) == [nil, "nop", "nop", nil, "bti", "nop", "nop"])
    #expect(ls[0].lines.map(\.label) == ["pre_func", nil, nil, "func", nil, nil, nil])
    #expect(ls[0].location == SourceLocation(file: "m.eml", line: 12))
    #expect(ls[1].states == ["disabled"])
    #expect(ls[1].label == "disabled")
    #expect(ls[1].lines[1].mnemonic == ".quad")
    #expect(ls[1].lines[1].instruction == ".quad <nop ops>")
    #expect(ls[1].lines[1].comment == "// the literal")
    #expect(ls[1].lines[4].instruction == "MOV X9, X30")
    #expect(ls.allSatisfy { !$0.quoted })
  }

  @Test func letteredStatesInAQuotedReply() {
    let body = """
      On Tue, someone wrote:
      > (a) compiled:
      > \tfunc:
      > \t\tbti c
      > \t\tnop
      >
      > b) disabled:
      > \tfunc:
      > \t\tbti c
      > \t\tb\tfunc_body
      > \tliteral:
      > \t\t.quad\tdummy_tramp
      > \t\tldr\tx16, literal
      > \t\tbr\tx16
      > \tfunc_body:

      My answer: c) enabled (far):
      \tfunc+0x4:\tb\tliteral_call
      \t...
      """
    let ls = ProseListings.extract(body: body, file: "r.eml")
    #expect(ls.map(\.letter) == ["a", "b", "c"])
    #expect(ls.map(\.quoted) == [true, true, false])
    #expect(ls[0].states == ["compiled"])
    #expect(ls[1].lines.last?.label == "func_body")
    #expect(ls[1].lines.compactMap(\.mnemonic) == ["bti", "b", ".quad", "ldr", "br"])
    #expect(ls[2].states == ["enabled", "far"])
    #expect(ls[2].lines.first?.offset == "func+0x4")
    #expect(ls[2].lines.first?.mnemonic == "b")
    #expect(ls[2].lines.count == 2)
  }

  @Test func objdumpStyleOffsets() {
    let body = """
      The disassembly after enabling:
        <+0>:\tbti\tc
        <+4>:\tmov\tx9, x30
        <+8>:\tbl\t0xffff800008010000 <ftrace_caller>
        addr+12:\tpaciasp
        ffff80000801a2c0:\td503201f \tnop
        This indented sentence is prose.
      """
    let ls = ProseListings.extract(body: body, file: "o.eml")
    #expect(ls.count == 1)
    #expect(ls[0].lines.map(\.offset) == ["<+0>", "<+4>", "<+8>", "addr+12", "ffff80000801a2c0"])
    #expect(ls[0].lines.prefix(4).map(\.mnemonic) == ["bti", "mov", "bl", "paciasp"])
    #expect(ls[0].lines[4].mnemonic == "nop")
    #expect(ls[0].lines[4].rawWord == "d503201f")
    #expect(ls[0].states == ["enabled"])
  }

  @Test func corpusBodiesDoNotCrashAndFindTheLiteralSketch() throws {
    guard let corpus = Paths.corpus,
      let mbox = Paths.read(corpus + "/01-xu-kuohai-bpf-trampoline-v5-ftrace-direct-2022-05.mbox")
    else {
      print("skipped: corpus mbox 01 missing")
      return
    }
    let ls = ProseListings.extract(body: mbox, file: "01.mbox")
    #expect(ls.contains { l in l.lines.contains { $0.mnemonic == ".quad" } })
    #expect(ls.contains { $0.quoted })
    #expect(ls.contains { $0.heading?.contains("ftrace_init_nop()") == true })
    #expect(!ls.contains { $0.heading?.hasPrefix("arm64:") == true })
  }
}

@Test func seriesWithArgsReplySketchesTwoCallsites() throws {
  let mbox = try #require(Paths.read(Paths.root + "/Series/with-args/series.mbox"))
  let ls = ProseListings.extract(body: mbox, file: "series.mbox")
  // The cover letter's sketch and the reviewer's two: the patches' diff lines are not listings.
  #expect(
    ls.map { $0.lines.compactMap(\.mnemonic) } == [["mov", "nop"], ["nop", "bl"], ["mov", "bl"]])
  #expect(ls.first?.heading == "After ftrace has prepared it, an untraced function begins with:")
  #expect(ls.first?.lines.first?.comment == "// stored once by ftrace_init_nop()")
  #expect(ls.dropFirst().first?.heading == "What a traced function really begins with is then:")
  #expect(ls.last?.heading == "The entry has to keep looking like this:")
  #expect(ls.last?.lines.first?.instruction == "mov x9, x30")
}

@Test func quotedDiffIsSkippedButReplyListingIsKept() {
  let body = """
    > diff --git a/arch/arm64/kernel/entry-ftrace.S b/arch/arm64/kernel/entry-ftrace.S
    > @@ -1,3 +1,3 @@
    >  \tmov\tx1, x9
    > +\tbl\tftrace_stub
    I would rather see the enabled state as:
    \tmov\tx9, x30
    \tbl\tftrace_caller
    > -\tnop
    """
  let ls = ProseListings.extract(body: body, file: "q.eml")
  #expect(ls.count == 1)
  #expect(ls.first?.states == ["enabled"])
  #expect(ls.first?.lines.count == 2)
}
