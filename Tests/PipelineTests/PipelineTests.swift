import Analysis
import Diagnostics
import Foundation
import Git
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

  /// Without a base the layouts are rebuilt from the hunks, and say so; a version with no
  /// patches (a reply alone) has no post-image at all, and says why.
  @Test func noBaseMeansTheHunks() throws {
    let set = try SeriesInputs(inputs: [root + "/Series/call-ops/series.mbox"]).load()
    let units = LayoutPipeline.layouts(set: set).filter { $0.configName != "prose" }
    #expect(!units.isEmpty && units.allSatisfy { $0.source == "v1 hunks only" })
    #expect(units.allSatisfy { $0.assumptions.first?.kind == .source })
    #expect(units.allSatisfy { $0.state(.near) != nil })
    let reply = try SeriesInputs(inputs: [root + "/Series/in-function-literal/series.mbox"]).load()
    let none = try #require(LayoutPipeline.layouts(set: reply).first { $0.configName == "none" })
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

/// The series' own options come from the Kconfig reader: what the post-image selects or
/// defines that the base does not, with the ftrace options those need (the select's `if`).
@Test func ownOptionsAreWhatTheKconfigNewlySelectsOrDefines() {
  let base = InMemoryTree([
    "arch/arm64/Kconfig": """
    config ARM64
    \tdef_bool y
    \tselect HAVE_DYNAMIC_FTRACE_WITH_REGS
    """
  ])
  let post = InMemoryTree([
    "arch/arm64/Kconfig": """
    config ARM64
    \tdef_bool y
    \tselect HAVE_DYNAMIC_FTRACE_WITH_REGS
    \tselect HAVE_DYNAMIC_FTRACE_WITH_CALL_OPS \\
    \t\tif DYNAMIC_FTRACE_WITH_REGS

    config ARM64_FTRACE_LITERAL_CALL
    \tbool "a literal in front of each function"

    config UNRELATED
    \tbool "not about ftrace"
    """
  ])
  #expect(
    LayoutPipeline.ownOptions(post: post, base: base) == [
      "DYNAMIC_FTRACE_WITH_REGS", "DYNAMIC_FTRACE_WITH_CALL_OPS", "ARM64_FTRACE_LITERAL_CALL",
    ])
  #expect(LayoutPipeline.ownOptions(post: base, base: base).isEmpty)
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
  // Read as a stream keeping only the diffs (what `series --repo` does), the same bases are
  // found, the same patches apply and the same diagnostics come out.
  let streamed = try SeriesInputs(inputs: [root + "/Series/with-args/series.mbox"], repo: dir)
    .load(keeping: .diffs)
  #expect(streamed.versions.map(\.guessedBase) == [base, base])
  #expect(
    streamed.versions.flatMap(\.patches).map(\.applies)
      == set.versions.flatMap(\.patches).map(\.applies))
  #expect(streamed.diagnostics == set.diagnostics)
  // The expectations are the first blob each path is patched from.
  let v2 = try #require(set.versions.last)
  #expect(
    BaseGuess.expectations(of: v2).map(\.path) == [
      "arch/arm64/Kconfig", "arch/arm64/Makefile", "arch/arm64/kernel/entry-ftrace.S",
      "arch/arm64/kernel/ftrace.c", "arch/arm64/include/asm/ftrace.h",
    ])
}

/// A bare mbox is enough: without a base, each example is rebuilt from its hunks, and every
/// state whose facts the hunks contain has the same words as with the tree. A state built on
/// something the hunks do not show (a flag, an ftrace.c function taken from the era's defaults)
/// may differ, and the layout lists what it assumed.
@Suite struct HunkOnlyTests {
  /// The facts each state rests on: the flags, and the functions that build it.
  static func facts(_ state: StateID) -> [String] {
    let flags = ["-fpatchable-function-entry", "-mbranch-protection", "function alignment"]
    switch state {
    case .compiled: return flags
    case .initialized: return flags + ["ftrace_call_adjust", "ftrace_init_nop"]
    case .disabled:
      return flags + [
        "ftrace_call_adjust", "ftrace_init_nop", "ftrace_make_call", "ftrace_make_nop",
      ]
    default: return flags + ["ftrace_call_adjust", "ftrace_init_nop", "ftrace_make_call"]
    }
  }

  /// The same word, or a branch to the same named target (whose address is assumed).
  static func sameWord(_ a: LayoutWord, _ b: LayoutWord) -> Bool {
    if a.word == b.word && a.kind == b.kind { return true }
    guard a.kind == .insn, b.kind == .insn, let sa = a.symbol, sa == b.symbol else { return false }
    return a.text.split(separator: " ").first == b.text.split(separator: " ").first
  }

  @Test(arguments: ["with-args", "call-ops", "direct-calls", "literal-call"])
  func hunksAloneGiveTheTreesWords(_ example: String) throws {
    let path = root + "/Series/\(example)/series.mbox"
    let withTree = LayoutPipeline.layouts(
      set: try SeriesInputs(inputs: [path], tree: root + "/Series/base").load())
    let hunksOnly = LayoutPipeline.layouts(set: try SeriesInputs(inputs: [path]).load())
    var compared = 0
    for h in hunksOnly where h.source.hasSuffix("hunks only") {
      #expect(h.assumptions.first?.text.hasPrefix("no base tree was given") == true)
      let t = try #require(
        withTree.first {
          $0.version == h.version && $0.configuration.bti == h.configuration.bti
            && $0.configName != "prose"
        },
        "\(example) v\(h.version ?? 0)")
      let defaulted = Set(h.assumptions.flatMap(\.subjects))
      for s in h.states {
        guard let ts = t.state(s.id) else { continue }
        let assumed = Self.facts(s.id).filter { defaulted.contains($0) }
        if !assumed.isEmpty { continue }
        #expect(
          s.words.map(\.offset) == ts.words.map(\.offset), "\(example) v\(h.version ?? 0) \(s.name)"
        )
        for (a, b) in zip(s.words, ts.words) {
          #expect(
            Self.sameWord(a, b),
            "\(example) v\(h.version ?? 0) \(s.name) func\(a.offset): \(a.text) vs \(b.text)")
        }
        compared += 1
      }
    }
    #expect(compared > 0, "\(example): no state's facts are all in the hunks")
    print("\(example): \(compared) states compared with the tree")
  }
}

/// The rebuild stage is a value: its layouts and the blob ID of every file it read. A cache
/// gives a tree the kept layouts when it has the same blobs at those paths, and rebuilds when a
/// file it read changed; a file it never read does not matter.
@Test func rebuildsAreKeptByTheBlobsTheyRead() throws {
  let base = KernelTreeOf(try DirectoryTree(root: root + "/Series/base"))
  var files: [String: String] = [:]
  for p in [
    "arch/arm64/Makefile", "arch/arm64/Kconfig", "arch/arm64/kernel/entry-ftrace.S",
    "arch/arm64/kernel/ftrace.c", "arch/arm64/include/asm/ftrace.h",
    "arch/arm64/kernel/patching.c",
  ] {
    files[p] = base.contents(of: p)
  }
  let cache = RebuildCache()
  let first = LayoutPipeline.rebuild(tree: InMemoryTree(files), source: "one", cache: cache)
  #expect(cache.misses == 1 && cache.hits == 0)
  // The blob IDs are git's.
  let makefile = try #require(first.inputs.files["arch/arm64/Makefile"] ?? nil)
  let git = try Tools.run("git", ["hash-object", root + "/Series/base/arch/arm64/Makefile"])
  #expect(makefile.description == git.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
  #expect(first.inputs.files["arch/arm64/kernel/patching.c"] == nil)  // never read
  // A file the rebuild never read changes: the kept layouts come back, under the new name.
  var other = files
  other["arch/arm64/kernel/patching.c"] = "/* changed */\n"
  let second = LayoutPipeline.rebuild(tree: InMemoryTree(other), source: "two", cache: cache)
  #expect(cache.hits == 1)
  #expect(second.layouts.map(\.source) == ["two", "two"])
  #expect(second.layouts.map(\.states) == first.layouts.map(\.states))
  // A file it read changes in a comment only: the same layouts.
  var third = files
  third["arch/arm64/Makefile"] = (files["arch/arm64/Makefile"] ?? "") + "\n# changed\n"
  _ = LayoutPipeline.rebuild(tree: InMemoryTree(third), source: "three", cache: cache)
  #expect(cache.hits == 2 && cache.misses == 1)
  // A file it read changes in its code: rebuilt.
  var fourth = files
  fourth["arch/arm64/Makefile"] = (files["arch/arm64/Makefile"] ?? "") + "\nX_UNUSED := 1\n"
  _ = LayoutPipeline.rebuild(tree: InMemoryTree(fourth), source: "four", cache: cache)
  #expect(cache.misses == 2)
}

/// A tree that names each file's text by its git blob ID, as a git tree does.
struct VersionedTree: KernelTree {
  var files: [String: String]
  func contents(of path: String) -> String? { files[path] }
  func version(of path: String) -> String? {
    files[path].flatMap { try? ObjectID.blob(of: Array($0.utf8)).description }
  }
}

/// A rebuild whose parses came from the memo (their includes compared by version, never
/// read) still depends on those includes: a later tree that changes only an include is
/// rebuilt, not given the kept layouts.
@Test func includesComparedByVersionAreDependencies() throws {
  let base = KernelTreeOf(try DirectoryTree(root: root + "/Series/base"))
  var files: [String: String] = [:]
  for p in [
    "arch/arm64/Makefile", "arch/arm64/Kconfig", "arch/arm64/kernel/entry-ftrace.S",
    "arch/arm64/kernel/ftrace.c", "arch/arm64/include/asm/ftrace.h",
  ] {
    files[p] = base.contents(of: p)
  }
  let cache = RebuildCache()
  _ = LayoutPipeline.rebuild(tree: VersionedTree(files: files), source: "one", cache: cache)
  // The Makefile's code changes: rebuilt, with the parses of the C and the entry code from
  // the memo.
  var second = files
  second["arch/arm64/Makefile"] = (files["arch/arm64/Makefile"] ?? "") + "\nX_UNUSED := 2\n"
  let two = LayoutPipeline.rebuild(tree: VersionedTree(files: second), source: "two", cache: cache)
  #expect(cache.misses == 2)
  #expect(two.inputs.files["arch/arm64/include/asm/ftrace.h"] != nil)
  // Then only the header the entry code includes changes.
  var third = second
  third["arch/arm64/include/asm/ftrace.h"] =
    (files["arch/arm64/include/asm/ftrace.h"] ?? "")
    + "\n#define UNUSED_THREE 3\n"
  _ = LayoutPipeline.rebuild(tree: VersionedTree(files: third), source: "three", cache: cache)
  #expect(cache.misses == 3)
}
