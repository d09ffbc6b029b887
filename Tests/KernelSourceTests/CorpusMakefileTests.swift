import Diagnostics
import TestSupport
import Testing

@testable import KernelSource

/// Applies the first `arch/arm64/Makefile` diff in an mbox to `text` by matching each hunk's
/// old lines (a tiny applier for tests; the project's own is in the Diff module).
func applyMakefileDiff(mbox: String, to text: String) -> String? {
  let lines = splitLines(mbox)
  guard let start = lines.firstIndex(of: "diff --git a/arch/arm64/Makefile b/arch/arm64/Makefile")
  else { return nil }
  var fileLines = splitLines(text)
  var i = start + 1
  var old: [String] = []
  var new: [String] = []
  func flush() -> Bool {
    defer {
      old = []
      new = []
    }
    guard !old.isEmpty else { return true }
    for k in 0...max(0, fileLines.count - old.count)
    where Array(fileLines[k..<(k + old.count)]) == old {
      fileLines.replaceSubrange(k..<(k + old.count), with: new)
      return true
    }
    return false
  }
  while i < lines.count {
    let l = lines[i]
    if l.hasPrefix("diff --git") || l == "-- " || l.hasPrefix("--- a/") && i > start + 3 { break }
    if l.hasPrefix("@@") {
      guard flush() else { return nil }
    } else if l.hasPrefix(" ") || l.isEmpty {
      old.append(String(l.dropFirst()))
      new.append(String(l.dropFirst()))
    } else if l.hasPrefix("-"), !l.hasPrefix("---") {
      old.append(String(l.dropFirst()))
    } else if l.hasPrefix("+"), !l.hasPrefix("+++") {
      new.append(String(l.dropFirst()))
    }
    i += 1
  }
  guard flush() else { return nil }
  return fileLines.joined(separator: "\n") + "\n"
}

@Suite struct CorpusMakefileTests {
  static let era = "002c6ca75289-v6.1-with-regs"

  @Test func v61WithRegsGivesTwoNopsAndBTIFlags() throws {
    guard let text = Paths.corpusFile(Self.era, "arch/arm64/Makefile") else { return }
    let config = KernelConfig(enabled: [
      "DYNAMIC_FTRACE_WITH_REGS", "ARM64_PTR_AUTH_KERNEL", "ARM64_BTI_KERNEL",
      "CC_HAS_SIGN_RETURN_ADDRESS", "CC_HAS_BRANCH_PROT_PAC_RET_BTI",
    ])
    let vars = MakefileFlags.evaluate(text: text, file: "arch/arm64/Makefile", config: config)
    let flags = FtraceBuildFlags(from: vars)
    #expect(flags.patchableEntry?.total == 2 && flags.patchableEntry?.before == 0)
    #expect(flags.patchableEntryValue?.origin.line == 133)
    #expect(flags.usingPatchableFunctionEntry?.line == 132)
    let bp = try #require(flags.branchProtection)
    #expect(bp.raw == "pac-ret+leaf+bti" && bp.bti && bp.pacRet && bp.leaf)
    #expect(flags.functionAlignment == nil)
    #expect(flags.assumptions.contains { $0.message.contains("-mabi=lp64") })
    #expect(vars.diagnostics.filter { $0.severity >= .warning }.isEmpty, "\(vars.diagnostics)")
    // Without BTI: pac-ret+leaf; without PAC either: the `none` default from cc-option.
    let noBTI = FtraceBuildFlags(
      from: MakefileFlags.evaluate(
        text: text, file: "Makefile",
        config: KernelConfig(enabled: ["ARM64_PTR_AUTH_KERNEL", "CC_HAS_BRANCH_PROT_PAC_RET"])))
    #expect(noBTI.branchProtection?.raw == "pac-ret+leaf")
    let none = FtraceBuildFlags(
      from: MakefileFlags.evaluate(text: text, file: "Makefile", config: KernelConfig()))
    #expect(none.branchProtection?.raw == "none")
    #expect(none.branchProtection?.pacRet == false)
    #expect(none.assumptions.contains { $0.message.contains("-mbranch-protection=none") })
    #expect(none.patchableEntry == nil)
  }

  @Test func callOpsEraFromTheSeriesPatches() throws {
    guard let text = Paths.corpusFile(Self.era, "arch/arm64/Makefile"),
      let corpus = Paths.corpus,
      let args = Paths.read(corpus + "/03-mark-rutland-ftrace-with-args-2022-11.mbox"),
      let ops = Paths.read(corpus + "/04-mark-rutland-dynamic-ftrace-with-call-ops-2023-01.mbox")
    else {
      print("skipped: corpus mboxes 03/04 missing")
      return
    }
    let withArgs = try #require(applyMakefileDiff(mbox: args, to: text))
    let withOps = try #require(applyMakefileDiff(mbox: ops, to: withArgs))
    let argsFlags = FtraceBuildFlags(
      from: MakefileFlags.evaluate(
        text: withArgs, file: "Makefile",
        config: KernelConfig(enabled: ["DYNAMIC_FTRACE_WITH_ARGS"])))
    #expect(argsFlags.patchableEntry?.total == 2)
    let config = KernelConfig([
      "DYNAMIC_FTRACE_WITH_ARGS": .yes, "DYNAMIC_FTRACE_WITH_CALL_OPS": .yes,
      "FUNCTION_ALIGNMENT_8B": .yes, "FUNCTION_ALIGNMENT": .int(8),
    ])
    let flags = FtraceBuildFlags(
      from: MakefileFlags.evaluate(text: withOps, file: "Makefile", config: config))
    let pfe = try #require(flags.patchableEntry)
    #expect(pfe.total == 4 && pfe.before == 2)
    // The arm64 Makefile leaves the alignment to Kconfig (CONFIG_FUNCTION_ALIGNMENT).
    #expect(flags.functionAlignment?.bytes == 8)
    #expect(flags.functionAlignment?.source == .kconfig)
  }
}

@Suite struct CallOpsFixtureTests {
  static let tree = FolderTree(root: Paths.fixtures + "/callops")

  func flags(_ config: KernelConfig) throws -> FtraceBuildFlags {
    var vars = MakefileFlags.evaluate(
      text: try #require(Self.tree.contents(of: "Makefile")), file: "Makefile", config: config)
    vars = MakefileFlags.evaluate(
      text: try #require(Self.tree.contents(of: "arch/arm64/Makefile")),
      file: "arch/arm64/Makefile", config: config, into: vars)
    #expect(vars.diagnostics.isEmpty, "\(vars.diagnostics)")
    return FtraceBuildFlags(from: vars)
  }

  @Test func resolvedKconfigDrivesTheMakefiles() throws {
    let k = try KconfigTests.callOpsKconfig()
    let configs = k.configurations(for: [
      "DYNAMIC_FTRACE_WITH_ARGS", "DYNAMIC_FTRACE_WITH_CALL_OPS", "ARM64_BTI_KERNEL",
    ])
    let on = try flags(configs[0].config)
    #expect(on.patchableEntry?.total == 4 && on.patchableEntry?.before == 2)
    #expect(on.functionAlignment?.bytes == 8)
    #expect(on.functionAlignment?.source == .minFunctionAlignment)
    #expect(on.functionAlignment?.origin == SourceLocation(file: "Makefile", line: 6))
    #expect(on.branchProtection?.raw == "pac-ret+bti")
    #expect(on.branchProtection?.origin.line == 12)
    let off = try flags(configs[1].config)
    #expect(off.branchProtection?.raw == "pac-ret")
    #expect(off.branchProtection?.bti == false)
    // GCC < 14: no -fmin-function-alignment, and the note says why that matters.
    let old = try flags(configs[0].config.setting("CC_HAS_MIN_FUNCTION_ALIGNMENT", .no))
    #expect(old.functionAlignment?.source == .alignFunctions)
    #expect(old.functionAlignment?.note?.contains("cold") == true)
    // ARGS only: =2.
    let argsOnly = try flags(KernelConfig(enabled: ["DYNAMIC_FTRACE_WITH_ARGS"]))
    #expect(argsOnly.patchableEntry?.total == 2 && argsOnly.patchableEntry?.before == 0)
  }
}
