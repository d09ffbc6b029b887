import Analysis
import Foundation
import KernelSource
import PatchSeries
import TestSupport
import Testing

@testable import Pipeline

/// `config.flags`, `config.prefix-data` and `abi.pac-order` through the pipeline: the teaching
/// tree as it is (quiet), then with one line changed (firing). The tree is read into memory
/// and edited there.
@Suite struct ConfigCheckTests {
  static let root = Tools.packageRoot() + "/Series/base"
  static let paths = [
    "arch/arm64/Makefile", "arch/arm64/Kconfig", "arch/arm64/kernel/entry-ftrace.S",
    "arch/arm64/kernel/ftrace.c", "arch/arm64/kernel/patching.c",
    "arch/arm64/include/asm/ftrace.h", "arch/arm64/include/asm/patching.h",
  ]

  static func base() throws -> [String: String] {
    var files: [String: String] = [:]
    for p in paths { files[p] = try String(contentsOfFile: root + "/" + p, encoding: .utf8) }
    return files
  }

  /// `files` with `old` replaced by `new` in `path` (which must contain it).
  static func edited(_ path: String, _ old: String, _ new: String) throws -> [String: String] {
    var files = try base()
    let text = try #require(files[path])
    #expect(text.contains(old), "\(path) should contain \(old)")
    files[path] = text.replacingOccurrences(of: old, with: new)
    return files
  }

  static func findings(
    _ files: [String: String], _ check: String, overrides: [String: ConfigValue] = [:]
  ) -> [(Layout, Finding)] {
    let layouts = LayoutPipeline.layouts(
      tree: InMemoryTree(files), overrides: overrides, source: "test")
    return layouts.flatMap { l in
      LayoutReview.review(l).findings.filter { $0.check.id == check }.map { (l, $0) }
    }
  }

  /// `--config ARM64_BTI_KERNEL=…` builds that side only: no layout named for the other side
  /// with the words of this one.
  @Test func anOverriddenBTISettingGivesOneConfiguration() throws {
    for on in [true, false] {
      let layouts = LayoutPipeline.layouts(
        tree: InMemoryTree(try Self.base()), overrides: ["ARM64_BTI_KERNEL": on ? .yes : .no],
        source: "test")
      #expect(layouts.count == 1)
      for l in layouts {
        #expect(l.configuration.bti == on)
        let compiled = try #require(l.state("compiled"))
        #expect(compiled.words.contains { $0.text == "bti c" } == on)
      }
    }
  }

  @Test func flagsAreQuietOnTheTeachingTree() throws {
    #expect(Self.findings(try Self.base(), "config.flags").isEmpty)
  }

  /// One NOP reserved, two written: the BL lands on the function's body.
  @Test func flagsCatchAWriteOutsideTheReservedNOPs() throws {
    let files = try Self.edited(
      "arch/arm64/Makefile", "-fpatchable-function-entry=2", "-fpatchable-function-entry=1")
    let found = Self.findings(files, "config.flags")
    #expect(found.count == 2)  // BTI on and off
    for (_, f) in found {
      #expect(f.severity == .error)
      #expect(f.message.contains("-fpatchable-function-entry=1 reserves the NOPs at"))
      #expect(f.message.contains("the function's body"))
      #expect(f.location?.file == "arch/arm64/kernel/ftrace.c")
    }
  }

  /// ARM64_BTI_KERNEL on, but the flag without bti.
  @Test func flagsCatchBTIConfigWithoutTheBTIFlag() throws {
    let files = try Self.edited(
      "arch/arm64/Makefile", "-mbranch-protection=pac-ret+leaf+bti",
      "-mbranch-protection=pac-ret+leaf")
    let found = Self.findings(files, "config.flags")
    let bti = found.filter { $0.0.configuration.bti == true }
    #expect(bti.count == 1)
    #expect(bti.first?.1.message.contains("ARM64_BTI_KERNEL is on") == true)
    #expect(bti.first?.1.location?.file == "arch/arm64/Makefile")
  }

  /// GCC 9.3 asked for BTI: the Kconfig's gate rejects it, and that is reported with its line.
  @Test func flagsReportTheKconfigRejectingTheCompiler() throws {
    let gcc9: [String: ConfigValue] = [
      "CC_IS_GCC": .yes, "GCC_VERSION": .int(90300), "CC_IS_CLANG": .no, "CLANG_VERSION": .int(0),
    ]
    let found = Self.findings(try Self.base(), "config.flags", overrides: gcc9)
    let rejected = try #require(found.first { $0.1.message.contains("does not allow") })
    #expect(rejected.0.configuration.bti == true)
    #expect(rejected.1.message.contains("GCC 9.3"))
    #expect(rejected.1.location?.file == "arch/arm64/Kconfig")
  }

  /// Without the GCC_VERSION gate, GCC 9.3 could build the BTI kernel and would put the NOPs
  /// in front of BTI C (PR 92424).
  @Test func flagsCatchAMissingCompilerGate() throws {
    let files = try Self.edited(
      "arch/arm64/Kconfig", "\tdepends on !CC_IS_GCC || GCC_VERSION >= 100100\n", "")
    let found = Self.findings(files, "config.flags")
    #expect(found.count == 1)
    let f = try #require(found.first?.1)
    #expect(f.severity == .error)
    #expect(f.message.contains("GCC 9.3") && f.message.contains("PR 92424"))
    #expect(f.evidence.blocks.first?.lines.first?.text == "nop")
  }

  /// A tree whose Kconfig offers CFI_CLANG: with two pre-function NOPs and no `!CFI_CLANG`,
  /// the type hash moves; with the guard, the probe finds CALL_OPS off.
  static func prefixTree(guarded: Bool) throws -> [String: String] {
    var files = try Self.edited(
      "arch/arm64/Makefile", "  CC_FLAGS_FTRACE\t:= -fpatchable-function-entry=2\n",
      "  CC_FLAGS_FTRACE\t:= -fpatchable-function-entry=2\n"
        + "  ifeq ($(CONFIG_PREFIX_LITERAL),y)\n"
        + "    CC_FLAGS_FTRACE\t:= -fpatchable-function-entry=4,2\n  endif\n")
    let kconfig = try #require(files["arch/arm64/Kconfig"])
    files["arch/arm64/Kconfig"] =
      kconfig + "\nconfig PREFIX_LITERAL\n\tdef_bool y\n"
      + (guarded ? "\tdepends on !CFI_CLANG\n" : "\tdepends on ARCH_SUPPORTS_CFI_CLANG || y\n")
    return files
  }

  @Test func prefixDataFiresWhenCFICanBeOnWithPreFunctionWords() throws {
    let found = Self.findings(try Self.prefixTree(guarded: false), "config.prefix-data")
    #expect(found.count == 2)
    let f = try #require(found.first?.1)
    #expect(f.severity == .error)
    #expect(f.offset == -12)
    #expect(f.message.contains("func-12") && f.message.contains("func-4"))
  }

  @Test func prefixDataIsQuietWhenTheKconfigKeepsCFIOut() throws {
    #expect(Self.findings(try Self.prefixTree(guarded: true), "config.prefix-data").isEmpty)
    #expect(Self.findings(try Self.base(), "config.prefix-data").isEmpty)
  }

  @Test func prefixDataFiresWithCFIClangSetByTheUser() throws {
    let files = try Self.edited(
      "arch/arm64/Makefile", "-fpatchable-function-entry=2", "-fpatchable-function-entry=4,2")
    let found = Self.findings(files, "config.prefix-data", overrides: ["CFI_CLANG": .yes])
    #expect(!found.isEmpty)
    #expect(found.allSatisfy { $0.1.message.hasPrefix("CFI_CLANG is on") })
  }

  /// Clang really places the hash in front of the prefix NOPs and checks at the caller's
  /// offset: what PrefixDataCheck says, against the compiler.
  @Test func clangPlacesTheKCFIHashWhereTheCheckSays() throws {
    // clang comes with the Swift toolchain, so it is there wherever the tests build.
    let clang = try #require(Tools.oracle("clang"), "clang (from the Swift toolchain) not found")
    let dir = try Tools.makeTemporaryDirectory()
    defer { Tools.removeTemporaryDirectory(dir) }
    let source = """
      typedef int (*fn)(int);
      int traced(int x) { return x + 1; }
      __attribute__((patchable_function_entry(0, 0))) int plain(int x) { return x + 2; }
      int call(fn f, int x) { return f(x); }
      """
    try source.write(toFile: dir + "/k.c", atomically: true, encoding: .utf8)
    let r = try Tools.run(
      clang,
      [
        "--target=aarch64-linux-gnu", "-O2", "-fsanitize=kcfi", "-fpatchable-function-entry=4,2",
        "-S", "-o", "-", dir + "/k.c",
      ])
    // Local labels (`.Ltmp0:`) and comments between the words are left out.
    let lines = r.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !($0.hasPrefix(".L") && $0.hasSuffix(":")) && !$0.hasPrefix("//") }
    // traced: .word <hash>, nop, nop, traced:
    let t = try #require(lines.firstIndex { $0.hasPrefix("traced:") })
    #expect(lines[t - 1] == "nop" && lines[t - 2] == "nop")
    #expect(lines[t - 3].hasPrefix(".word"))
    let p = try #require(lines.firstIndex { $0.hasPrefix("plain:") })
    #expect(lines[p - 1].hasPrefix(".word"))
    // The traced caller's check reads the hash at -(4 * 2 + 4).
    #expect(lines.contains { $0.hasPrefix("ldur") && $0.hasSuffix("#-12]") })
  }
}

/// The trampolines at the edge of BL's range: the C's range test decides each, and an
/// off-by-one in it writes the generator's BRK where the first unreachable address is.
@Suite struct EdgePlacementTests {
  /// direct-calls v2's post-image, as files in memory, and its own options.
  static func directCalls() throws -> ([String: String], [String]) {
    let root = Tools.packageRoot()
    let set = try SeriesInputs(
      inputs: [root + "/Series/direct-calls/series.mbox"], tree: root + "/Series/base"
    ).load()
    let v2 = try #require(set.versions.first { $0.version == 2 })
    let post = try #require(v2.patches.last { $0.postImage != nil }?.postImage as? OverlayTree)
    var files: [String: String] = [:]
    for p in ConfigCheckTests.paths { files[p] = post.contents(of: p) }
    let own = LayoutPipeline.ownOptions(post: KernelTreeOf(post), base: KernelTreeOf(post.base))
    return (files, own)
  }

  static func layouts(_ files: [String: String], _ own: [String]) -> [Layout] {
    LayoutPipeline.layouts(tree: InMemoryTree(files), ownOptions: own, source: "test")
      .filter { $0.state(.directEdge) != nil }
  }

  @Test func theEdgeIsReachedWithBLAndTheFirstAddressBeyondIsNot() throws {
    let (files, own) = try Self.directCalls()
    let layouts = Self.layouts(files, own)
    #expect(layouts.count == 2)
    for l in layouts {
      let slot = try #require(l.recordOffset)
      let edge = try #require(l.state(.directEdge)?.word(at: slot))
      let beyond = try #require(l.state(.directBeyond)?.word(at: slot))
      #expect(edge.text.contains("<edge direct trampoline>"), "\(edge.text)")
      #expect(beyond.text.contains("ftrace_caller"), "\(beyond.text)")
      let findings = LayoutReview.review(l).findings.filter {
        $0.severity == .error && ($0.state == .directEdge || $0.state == .directBeyond)
      }
      #expect(findings.isEmpty, "\(findings.map(\.message))")
    }
  }

  @Test func anOffByOneInTheRangeTestShowsAtTheFirstAddressBeyond() throws {
    var (files, own) = try Self.directCalls()
    let c = try #require(files["arch/arm64/kernel/ftrace.c"])
    let check = "if (offset >= -SZ_128M && offset < SZ_128M)"
    #expect(c.contains(check))
    files["arch/arm64/kernel/ftrace.c"] = c.replacingOccurrences(
      of: check, with: "if (offset >= -SZ_128M && offset <= SZ_128M)")
    for l in Self.layouts(files, own) {
      let found = LayoutReview.review(l).findings.filter {
        $0.state == .directBeyond && $0.check.id == "range.generator-sentinel"
      }
      #expect(!found.isEmpty, "\(l.configName)")
    }
  }
}
