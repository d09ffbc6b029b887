import Diagnostics
import Foundation
import TestSupport
import Testing

@testable import KernelSource

@Suite struct PreprocessorTests {
  static let tree = InMemoryTree([
    "arch/arm64/include/asm/consts.h": """
    #ifndef __CONSTS_H
    #define __CONSTS_H
    #define INSN_SIZE 4 /* bytes */
    #define TWICE(x) ((x) * 2)
    #define CAT(a, b) a ## b
    #define STR(x) #x
    #endif
    """,
    "include/linux/kconfig.h": "#define __KCONFIG 1\n",
  ])

  func run(_ text: String, _ config: KernelConfig = KernelConfig()) -> PreprocessedFile {
    Preprocessor(tree: Self.tree, config: config).run(text: text, file: "arch/arm64/kernel/x.c")
  }

  @Test func includesDefinesAndExpansion() {
    let out = run(
      """
      #include <asm/consts.h>
      #include <asm/consts.h>
      #include <linux/kconfig.h>
      #include <asm/missing.h>
      a = INSN_SIZE; // four
      b = TWICE(INSN_SIZE + 1);
      c = CAT(ftrace_, call);
      d = STR(x9 + lr);
      /* a comment
         over two lines */ e = __KCONFIG;
      """)
    #expect(
      out.lines.map(\.text) == [
        "a = 4;", "b = ((4 + 1) * 2);", "c = ftrace_call;", "d = \"x9 + lr\";", "e = 1;",
      ])
    #expect(out.lines.map(\.origin.line) == [5, 6, 7, 8, 10])
    #expect(out.missingIncludes.map(\.path) == ["asm/missing.h"])
    #expect(out.missingIncludes.first?.location.line == 4)
    #expect(out.includedFiles.filter { $0.hasSuffix("consts.h") }.count == 2)
  }

  @Test func conditionalsOverAConfig() {
    let text = """
      #ifdef CONFIG_A
      a
      #elif IS_ENABLED(CONFIG_B) && !defined(CONFIG_C)
      b
      #else
      c
      #endif
      #if CONFIG_ALIGN >= 8 && (1 << 3) == 8
      aligned
      #endif
      #ifndef CONFIG_A
      #if defined CONFIG_M_MODULE || IS_MODULE(CONFIG_M)
      module
      #endif
      #endif
      #undef X
      #define X 2
      #if X * 3 - 1 == 5 ? 1 : 0
      x
      #endif
      """
    #expect(run(text, KernelConfig(enabled: ["A"])).lines.map(\.text) == ["a", "x"])
    let b = run(text, KernelConfig(["B": .yes, "ALIGN": .int(8), "M": .module]))
    #expect(b.lines.map(\.text) == ["b", "aligned", "module", "x"])
    #expect(
      b.lines.first?.guards == [
        "#elif IS_ENABLED(CONFIG_B) && !defined(CONFIG_C) at arch/arm64/kernel/x.c:3"
      ])
    #expect(run(text, KernelConfig(["B": .yes, "C": .yes])).lines.map(\.text) == ["c", "x"])
  }

  @Test func unbalancedAndUnreadableSayWhere() {
    let (text, m) = Markers.extract(
      """
      ⟪1⟫#if 1
      #if sizeof(long) == 8
      y
      #endif
      ⟪2⟫#endif
      #endif
      ⟪3⟫#if FOO(
      """)
    let out = run(text)
    let ds = out.diagnostics.map { "\($0.id) \($0.location.line)" }
    #expect(ds.contains("\(KernelSourceMessage.couldNotModel) 2"))
    #expect(ds.contains("\(KernelSourceMessage.conditional) \(m["2"].map { $0.line + 1 } ?? 0)"))
    #expect(ds.contains("\(KernelSourceMessage.conditional) \(m["3"]?.line ?? 0)"))
    #expect(out.lines.isEmpty)
    _ = m["1"]
  }

  @Test func seriesBaseHeaderGuardsTheFtraceFunctions() throws {
    let tree = FolderTree(root: Paths.seriesBase)
    let x = TransitionExtractor(
      text: try #require(tree.contents(of: "arch/arm64/kernel/ftrace.c")),
      file: "arch/arm64/kernel/ftrace.c", config: TransitionTests.regs, tree: tree)
    let t = try #require(x.transition("ftrace_init_nop"))
    let line = Paths.baseLine(
      "#ifdef CONFIG_DYNAMIC_FTRACE_WITH_REGS", in: "arch/arm64/kernel/ftrace.c")
    #expect(
      t.conditions.first
        == "#ifdef CONFIG_DYNAMIC_FTRACE_WITH_REGS at arch/arm64/kernel/ftrace.c:\(line)")
  }

  @Test func neverCrashesOnRandomInput() {
    var rng = SeededGenerator(seed: 0x6b73)
    let pieces = [
      "#if", "#ifdef", "#else", "#endif", "#define", "(", ")", "X", "1", "\n", "##",
      "#", "/*", "*/", "\"", "\\", "defined", "IS_ENABLED(", "&&", "||", "?", ":", "#include <",
      ">", " ",
    ]
    for round in 0..<200 {
      var s = ""
      for _ in 0..<Int.random(in: 1...60, using: &rng) {
        s += pieces[Int.random(in: 0..<pieces.count, using: &rng)]
      }
      let out = run(s)
      #expect(out.lines.count <= s.count + 1, "seed 0x6b73 round \(round)")
      _ = AsmPreprocessor(config: KernelConfig()).run(text: s, file: "r.S", tree: nil)
      _ = TransitionExtractor(text: s, file: "r.c", config: KernelConfig()).transitions()
      _ = MakefileFlags.evaluate(text: s, file: "r.mk", config: KernelConfig())
      _ = Kconfig.parse(text: s, file: "r.kconfig")
      _ = ProseListings.extract(body: s, file: "r.eml")
    }
  }
}

@Test func deepNestingIsReportedNotACrash() {
  let deep = String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000)
  let pp = Preprocessor(tree: nil, config: KernelConfig()).run(
    text: "#if \(deep)\nx\n#endif\n", file: "d.c")
  #expect(pp.diagnostics.contains { $0.id == KernelSourceMessage.couldNotModel })
  let body =
    "int ftrace_make_call(int a)\n" + String(repeating: "{", count: 5000)
    + "x = \(deep);" + String(repeating: "}", count: 5000)
  #expect(
    TransitionExtractor(text: body, file: "d.c", config: KernelConfig())
      .transition("ftrace_make_call") != nil)
  let k = Kconfig.parse(
    text: "config A\n\tdepends on \(deep.replacingAll("1", with: "B"))\n", file: "K")
  #expect(k.diagnostics.contains { $0.id == KernelSourceMessage.couldNotModel })
  let selfInclude = InMemoryTree(["include/a.h": "#include <a.h>\n#include <a.h>\nx\n"])
  let inc = Preprocessor(tree: selfInclude, config: KernelConfig()).run(
    text: "#include <a.h>\n", file: "i.c")
  #expect(inc.diagnostics.contains { $0.id == KernelSourceMessage.couldNotModel })
}

@Test func everyReaderSurvivesRandomBytes() {
  let seed: UInt64 = 0x6b73_0002
  var rng = SeededGenerator(seed: seed)
  let alphabet = Array("\t\n \\#$(){}[]<>,.:;=+-*/!&|?'\"%@_aAbBxX019é→\r") + ["\u{0}"]
  for round in 0..<300 {
    var s = ""
    for _ in 0..<Int.random(in: 0...200, using: &rng) {
      s.append(alphabet[Int.random(in: 0..<alphabet.count, using: &rng)])
    }
    let config = KernelConfig(enabled: ["A", "ARM64_BTI_KERNEL"])
    let pp = Preprocessor(tree: nil, config: config).run(text: s, file: "r.c")
    let asm = AsmPreprocessor(config: config).run(text: s, file: "r.S", tree: nil)
    let x = TransitionExtractor(text: s, file: "r.c", config: config)
    _ = x.order.map { x.transition($0) }
    _ = FtraceBuildFlags(from: MakefileFlags.evaluate(text: s, file: "r.mk", config: config))
    _ = Kconfig.parse(text: s, file: "K").configurations(for: ["A"])
    let ls = ProseListings.extract(body: s, file: "r.eml")
    // Whatever the bytes, every line out comes from a line in: no tree, so no other file. A
    // line ends at every newline byte, the one of a CRLF pair included.
    let lineCount = s.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).count
    func fromInput(_ o: Diagnostics.SourceLocation, _ file: String) -> Bool {
      o.file == file && o.line >= 1 && o.line <= lineCount
    }
    #expect(pp.lines.allSatisfy { fromInput($0.origin, "r.c") }, "seed \(seed) round \(round)")
    #expect(asm.lines.allSatisfy { fromInput($0.origin, "r.S") }, "seed \(seed) round \(round)")
    #expect(
      ls.reduce(0) { $0 + $1.lines.count } <= lineCount, "seed \(seed) round \(round)")
  }
}

@Test func everyCorpusFileThroughEveryReader() throws {
  guard let corpus = Paths.corpus else {
    print("skipped: no shared corpus")
    return
  }
  let fm = FileManager.default
  var files: [String] = []
  if let e = fm.enumerator(atPath: corpus) {
    for case let p as String in e where p.hasSuffix(".mbox") || p.contains("/arch/") {
      var isDir: ObjCBool = false
      if fm.fileExists(atPath: corpus + "/" + p, isDirectory: &isDir), !isDir.boolValue {
        files.append(p)
      }
    }
  }
  #expect(files.count >= 15)
  let config = KernelConfig(enabled: [
    "DYNAMIC_FTRACE", "DYNAMIC_FTRACE_WITH_ARGS", "DYNAMIC_FTRACE_WITH_CALL_OPS",
    "ARM64_BTI_KERNEL", "MODULES",
  ])
  let start = Date()
  for f in files.sorted() {
    let text = try #require(Paths.read(corpus + "/" + f))
    _ = Preprocessor(tree: nil, config: config).run(text: text, file: f)
    _ = AsmPreprocessor(config: config).run(text: text, file: f, tree: nil)
    _ = TransitionExtractor(text: text, file: f, config: config).transitions()
    _ = FtraceBuildFlags(from: MakefileFlags.evaluate(text: text, file: f, config: config))
    _ = Kconfig.parse(text: text, file: f)
    _ = ProseListings.extract(body: text, file: f)
  }
  #expect(Date().timeIntervalSince(start) < 60)
}

@Test func macroCallsSpanningLinesJoinAtTheFirstLine() {
  let pp = Preprocessor(tree: PreprocessorTests.tree, config: KernelConfig()).run(
    text: "#include <asm/consts.h>\nx;\ni = TWICE(1 +\n  2) + CAT(a,\n b);\nj;\n", file: "m.c")
  #expect(pp.lines.map(\.text) == ["x;", "i = ((1 + 2) * 2) + ab;", "j;"])
  #expect(pp.lines.map(\.origin.line) == [2, 3, 6])
}

@Test func aDirectiveIsAHashAfterSpacesAndTabsOnly() {
  for line in ["#define X 1", "  \t#if A", "#", "\t\t# include <x.h>"] {
    #expect(PreprocessorState.isDirective(line), "\(line.debugDescription)")
  }
  for line in ["", "   ", "x #", "\u{00A0}#if", "/* # */", "é#"] {
    #expect(!PreprocessorState.isDirective(line), "\(line.debugDescription)")
  }
}
