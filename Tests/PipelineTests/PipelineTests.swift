import Analysis
import Diagnostics
import Foundation
import KernelSource
import PatchSeries
import TestSupport
import Testing

@testable import Pipeline

private let root = Tools.packageRoot()

private func example(_ name: String) -> SeriesInputs {
  SeriesInputs(inputs: [root + "/Series/\(name)/series.mbox"], tree: root + "/Series/base")
}

@Suite struct PipelineTests {
  /// Inputs → series → post-images → layouts, with no command line in between.
  @Test func withArgsFromInputsToLayouts() throws {
    let set = try example("with-args").load()
    #expect(set.versions.map(\.version) == [1, 2])
    #expect(set.versions.flatMap(\.patches).allSatisfy { $0.applies == true })
    let units = LayoutPipeline.layouts(set: set)
    let rebuilt = units.filter { $0.configName != "prose" }
    #expect(rebuilt.map(\.version) == [1, 1, 2, 2])
    for u in rebuilt where u.version == 2 {
      #expect(u.diagnostics.isEmpty, "\(u.diagnostics)")
      #expect(u.state("near")?.words.contains { $0.text.hasSuffix("<ftrace_caller>") } == true)
      #expect(u.changes != nil, "v2 is compared with v1 under the same configuration")
    }
    #expect(units.contains { $0.configName == "prose" })
  }

  /// Without a base the post-image is missing, and the unit says why.
  @Test func noBaseSaysSo() throws {
    let set = try SeriesInputs(inputs: [root + "/Series/call-ops/series.mbox"]).load()
    let units = LayoutPipeline.layouts(set: set)
    let none = try #require(units.first { $0.configName == "none" })
    #expect(none.diagnostics.map(\.id.rawValue) == ["layout.no-post-image"])
  }

  /// A tree alone: the base's own options (WITH_REGS), BTI on and off.
  @Test func aTreeAlone() throws {
    let tree = KernelTreeOf(try DirectoryTree(root: root + "/Series/base"))
    let units = LayoutPipeline.layouts(tree: tree, source: "base")
    #expect(units.count == 2)
    #expect(units.map(\.recordOffset) == [8, 4])
  }

  @Test func baseWithoutRepoIsAnInputError() {
    #expect(throws: InputError.self) {
      try SeriesInputs(inputs: [root + "/Series/call-ops/series.mbox"], base: "HEAD").load()
    }
  }
}

@Test func ownOptionsComeFromConfigAndKconfigLines() {
  let body = """
    +config ARM64_FTRACE_LITERAL_CALL
    +\tselect HAVE_DYNAMIC_FTRACE_WITH_CALL_OPS
    +ifeq ($(CONFIG_DYNAMIC_FTRACE_WITH_ARGS),y)
    +\tif (rec->flags & FTRACE_FL_CALL_OPS_EN)
    +\tdepends on ARM64_BTI_KERNEL
    -config DYNAMIC_FTRACE_WITH_REGS
    """
  #expect(
    LayoutPipeline.ownOptions([body]) == [
      "ARM64_FTRACE_LITERAL_CALL", "DYNAMIC_FTRACE_WITH_CALL_OPS", "DYNAMIC_FTRACE_WITH_ARGS",
    ])
}

/// A repository with several commits; the series was made against the first. With `--repo`
/// alone and a `base-commit:` the repository does not have, the base is found from the blobs
/// the patches expect.
@Test func theBaseIsFoundFromTheBlobsThePatchesExpect() throws {
  let dir = try Tools.makeTemporaryDirectory("guess-base")
  defer { Tools.removeTemporaryDirectory(dir) }
  func git(_ args: String...) throws -> String {
    let out = try Tools.run(
      "git", ["-c", "user.name=T", "-c", "user.email=t@example.org"] + args, cwd: dir,
      environment: [
        "GIT_AUTHOR_DATE": "2024-02-01T00:00:00+0000",
        "GIT_COMMITTER_DATE": "2024-02-01T00:00:00+0000",
      ])
    #expect(out.status == 0, "\(out.stderr)")
    return out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }
  _ = try Tools.run("/bin/cp", ["-R", root + "/Series/base/arch", dir])
  _ = try git("init", "-q")
  _ = try git("add", "-A")
  _ = try git("commit", "-qm", "the base, under another author and date")
  let base = try git("rev-parse", "HEAD")
  // Two later commits change files the series touches: HEAD is no longer its base.
  for (k, path) in ["arch/arm64/kernel/ftrace.c", "arch/arm64/Makefile"].enumerated() {
    let text = try String(contentsOfFile: dir + "/" + path, encoding: .utf8)
    try (text + "\n# later change \(k)\n").write(
      toFile: dir + "/" + path, atomically: true, encoding: .utf8)
    _ = try git("commit", "-qam", "later \(k)")
  }
  let set = try SeriesInputs(inputs: [root + "/Series/with-args/series.mbox"], repo: dir).load()
  #expect(set.versions.map(\.guessedBase) == [base, base])
  #expect(set.versions.flatMap(\.patches).allSatisfy { $0.applies == true })
  #expect(set.diagnostics.contains { $0.id == "series.base-guessed" })
  #expect(set.diagnostics.contains { $0.id == "series.base-not-found" })  // the named base-commit
  // The expectations are the first blob each path is patched from.
  let v2 = try #require(set.versions.last)
  #expect(
    BaseGuess.expectations(of: v2).map(\.path) == [
      "arch/arm64/Kconfig", "arch/arm64/Makefile", "arch/arm64/kernel/entry-ftrace.S",
      "arch/arm64/kernel/ftrace.c", "arch/arm64/include/asm/ftrace.h",
    ])
}
