import Diagnostics
import Foundation
import TestSupport
import Testing

@testable import KernelSource

/// Pathological sources stop at a stated limit with a diagnostic that says what is wrong, and
/// the readers go on (`scripts/bench-limits` shows the times are linear in the size).
@Suite struct LimitTests {
  @Test func aMakeVariableThatReferencesItselfIsAnError() {
    let vars = MakefileFlags.evaluate(
      text: "A = x $(B)\nB = $(A)\nKBUILD_CFLAGS += -O2 $(A)\n", file: "arch/arm64/Makefile",
      config: KernelConfig())
    let e = vars.expansion("KBUILD_CFLAGS")
    #expect(e.words.map(\.text) == ["-O2", "x"])
    let d = e.diagnostics.filter { $0.message.contains("recursive variable") }
    #expect(d.count == 1)
    #expect(d.first?.severity == .error)
    #expect(d.first?.location.file == "arch/arm64/Makefile")
  }

  @Test func aDependencyLoopInKconfigIsReported() {
    let tree = InMemoryTree([
      "Kconfig":
        "config A\n\tbool \"a\"\n\tdepends on B\n\nconfig B\n\tbool \"b\"\n\tdepends on C && X\n\n"
        + "config C\n\tbool \"c\"\n\tdepends on A\n\nconfig X\n\tbool \"x\"\n"
    ])
    let k = Kconfig.load(tree: tree)
    let loops = k.diagnostics.filter { $0.message.hasPrefix("recursive dependency") }
    #expect(
      loops.map(\.message) == ["recursive dependency: A depends on B depends on C depends on A"])
    #expect(loops.first?.location.line == 1)
    // The resolver still answers.
    _ = k.configurations(for: ["A"])
  }

  @Test func aLongChainOfDependenciesIsNotALoop() {
    var text = ""
    for i in 0..<5_000 { text += "config S\(i)\n\tbool\n\tdepends on S\(i + 1)\n" }
    let k = Kconfig.load(tree: InMemoryTree(["Kconfig": text]))
    #expect(!k.diagnostics.contains { $0.message.hasPrefix("recursive dependency") })
  }

  @Test func aFunctionWhoseBracesNeverCloseIsSaidAndTheRestRead() {
    let text =
      "int ftrace_make_nop(struct module *mod, struct dyn_ftrace *rec, unsigned long addr)\n{\n"
      + String(repeating: "{", count: 100_000) + "\n"
    let x = TransitionExtractor(text: text, file: "ftrace.c", config: KernelConfig())
    let t = x.transitions()
    // Nothing is invented for a function cut short.
    #expect(t["ftrace_make_nop"]?.writes.isEmpty ?? true)
  }
}
