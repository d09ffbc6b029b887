import KernelSource
import Testing

@testable import Analysis

/// v5.x trampolines spell their landing pad with `asm/linkage.h`'s `BTI_C`, under
/// `#ifdef BTI_C`, rather than writing `bti c`. The header is not in a tree of the ftrace
/// files, so the macro must still mean what it means in the kernel: a landing pad with BTI
/// on, nothing with it off.
enum LinkageBTITree {
  /// The base tree with every `bti c` of `entry-ftrace.S` spelled the older way.
  static func tree() throws -> InMemoryTree {
    var files: [String: String] = [:]
    for p in [
      "arch/arm64/Makefile", "arch/arm64/Kconfig", FtraceSources.ftracePath,
      "arch/arm64/include/asm/ftrace.h",
    ] {
      files[p] = try #require(Fixture.base.contents(of: p))
    }
    let entry = try #require(Fixture.base.contents(of: "arch/arm64/kernel/entry-ftrace.S"))
    #expect(entry.contains("\tbti\tc\n"))
    files["arch/arm64/kernel/entry-ftrace.S"] = entry.replacingOccurrences(
      of: "\tbti\tc\n", with: "#ifdef BTI_C\n\tBTI_C\n#endif\n")
    return InMemoryTree(files)
  }

  static func layout(bti: Bool) throws -> Layout {
    let config = Fixture.regs.setting("ARM64_BTI_KERNEL", bti ? .yes : .no)
      .setting("ARM64_MODULE_PLTS", .yes)
    return LayoutBuilder(
      sources: FtraceSources.read(tree: try tree(), config: config), source: "linkage",
      configuration: LayoutConfiguration(name: "linkage", bti: bti)
    ).build()
  }
}

@Suite struct LinkageBTIMacroTests {
  @Test func theMacroIsALandingPadWithBTI() throws {
    let l = try LinkageBTITree.layout(bti: true)
    let tramp = try #require(l.trampolines.first { $0.name == "ftrace_caller" })
    #expect(tramp.firstText == "bti c")
    // The module PLT reaches ftrace_caller with BR X16: the pad must accept it.
    let ids = LayoutReview.review(l).findings.map(\.check.id)
    #expect(!ids.contains("bti.landing-pad"), "\(ids)")
  }

  @Test func theMacroIsEmptyWithoutBTI() throws {
    let l = try LinkageBTITree.layout(bti: false)
    let tramp = try #require(l.trampolines.first { $0.name == "ftrace_caller" })
    #expect(tramp.firstText != "bti c")
    #expect(!l.diagnostics.contains { $0.severity == .error }, "\(l.diagnostics)")
  }
}
