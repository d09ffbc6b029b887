import Diagnostics
import TestSupport
import Testing

@testable import KernelSource

@Suite struct KconfigTests {
  static let callops = FolderTree(root: Paths.fixtures + "/callops")

  static func callOpsKconfig() throws -> Kconfig {
    var k = Kconfig()
    for f in ["arch/Kconfig", "arch/arm64/Kconfig", "kernel/trace/Kconfig"] {
      k.merge(Kconfig.parse(text: try #require(callops.contents(of: f)), file: f))
    }
    return k
  }

  /// In the v5 kernels pointer authentication needs the graph tracer to see return addresses
  /// from the patchable entry. Without WITH_REGS, the base's ARM64_PTR_AUTH=y cannot stand:
  /// the Kconfig turns it off and says why, and what depends on it goes with it.
  @Test func aBaseOptionWhoseDependenciesFailIsTurnedOff() throws {
    let k = Kconfig.parse(
      text: """
        config ARM64_PTR_AUTH
        \tbool "Pointer authentication"
        \tdefault y
        \tdepends on AS_HAS_PAC
        \tdepends on !FUNCTION_GRAPH_TRACER || DYNAMIC_FTRACE_WITH_REGS

        config ARM64_BTI_KERNEL
        \tbool "BTI"
        \tdefault y
        \tdepends on ARM64_PTR_AUTH

        config AS_HAS_PAC
        \tdef_bool $(as-instr,.arch_extension pauth)

        """, file: "arch/arm64/Kconfig")
    let without = k.configurations(for: ["DYNAMIC_FTRACE"])
    for c in without {
      #expect(!c.config.isEnabled("ARM64_PTR_AUTH"), "\(c.name)")
      #expect(c.switchedOff.count == 1, "\(c.switchedOff)")
      #expect(c.switchedOff.first?.severity == .note)
      #expect(
        c.switchedOff.first?.message.hasPrefix(
          "ARM64_PTR_AUTH taken as off: ARM64_PTR_AUTH depends on") == true)
      #expect(c.switchedOff.first?.location.line == 5)
    }
    // The BTI side asks for BTI, which needs PTR_AUTH: rejected, with the reason.
    #expect(without.map(\.isValid) == [false, true])
    let with = k.configurations(for: ["DYNAMIC_FTRACE", "DYNAMIC_FTRACE_WITH_REGS"])
    for c in with {
      #expect(c.config.isEnabled("ARM64_PTR_AUTH") && c.switchedOff.isEmpty, "\(c.name)")
      #expect(c.isValid, "\(c.rejections)")
    }
    // An assembler without PAC leaves it off whatever the tracer.
    let asked = k.configurations(
      for: ["DYNAMIC_FTRACE"], base: Kconfig.defaultBase.setting("AS_HAS_PAC", .no))
    #expect(asked.allSatisfy { !$0.config.isEnabled("ARM64_PTR_AUTH") })
  }

  @Test func parsesEntriesSkipsHelpAndReadsChoices() throws {
    let k = try Self.callOpsKconfig()
    #expect(k.diagnostics.isEmpty, "\(k.diagnostics)")
    let arm64 = try #require(k.entries["ARM64"]?.first)
    #expect(
      arm64.selects.map(\.value) == [
        "FUNCTION_ALIGNMENT_4B", "FUNCTION_ALIGNMENT_8B", "HAVE_DYNAMIC_FTRACE",
        "HAVE_DYNAMIC_FTRACE_WITH_ARGS", "HAVE_DYNAMIC_FTRACE_WITH_CALL_OPS",
        "FTRACE_MCOUNT_USE_PATCHABLE_FUNCTION_ENTRY",
      ])
    #expect(arm64.selects[3].condition == .macro("cc-option,-fpatchable-function-entry=2"))
    #expect(
      arm64.selects[4].condition
        == .and(
          .symbol("DYNAMIC_FTRACE_WITH_ARGS"),
          .not(.symbol("CFI_CLANG"))))
    #expect(k.entries["ARM64_BTI_KERNEL"]?.first?.dependsOn.count == 5)
    #expect(k.entries["CFI_PERMISSIVE"]?.first?.dependsOn.first?.value == .symbol("CFI_CLANG"))
    #expect(k.choices.first?.members == ["ARM64_4K_PAGES", "ARM64_64K_PAGES"])
  }

  @Test func callOpsConfigurationsResolveSelectsAndAlignment() throws {
    let k = try Self.callOpsKconfig()
    let configs = k.configurations(for: [
      "DYNAMIC_FTRACE_WITH_ARGS", "CONFIG_DYNAMIC_FTRACE_WITH_CALL_OPS", "ARM64_BTI_KERNEL",
    ])
    #expect(
      configs.map(\.name) == [
        "DYNAMIC_FTRACE_WITH_ARGS DYNAMIC_FTRACE_WITH_CALL_OPS ARM64_BTI_KERNEL",
        "DYNAMIC_FTRACE_WITH_ARGS DYNAMIC_FTRACE_WITH_CALL_OPS !ARM64_BTI_KERNEL",
      ])
    for c in configs {
      #expect(c.isValid, "\(c.rejections)")
      #expect(c.config.isEnabled("HAVE_DYNAMIC_FTRACE_WITH_CALL_OPS"))
      #expect(c.config.isEnabled("FUNCTION_ALIGNMENT_8B"))
      #expect(c.config.integer("FUNCTION_ALIGNMENT") == 8)
      #expect(c.config.isEnabled("ARM64_4K_PAGES") && !c.config.isEnabled("ARM64_64K_PAGES"))
      #expect(c.config.isEnabled("DYNAMIC_FTRACE_WITH_DIRECT_CALLS"))
      #expect(c.warnings.contains { $0.message.contains("cc-option,-fpatchable-function-entry=2") })
    }
    #expect(configs[0].config.isEnabled("ARM64_BTI_KERNEL"))
    #expect(!configs[1].config.isEnabled("ARM64_BTI_KERNEL"))
  }

  @Test func cfiClangRejectsCallOpsAndSaysWhy() throws {
    let k = try Self.callOpsKconfig()
    let configs = k.configurations(
      for: ["DYNAMIC_FTRACE_WITH_CALL_OPS"], base: Kconfig.defaultBase.setting("CFI_CLANG", .yes))
    let r = try #require(configs.first?.rejections.first)
    #expect(r.id == KernelSourceMessage.dependsFailed)
    #expect(r.location == SourceLocation(file: "kernel/trace/Kconfig", line: 20))
    #expect(r.message.contains("HAVE_DYNAMIC_FTRACE_WITH_CALL_OPS=n"))
  }

  @Test func seriesBaseBTIRejectedWithOldGCC() throws {
    let text = try #require(Paths.read(Paths.seriesBase + "/arch/arm64/Kconfig"))
    let k = Kconfig.parse(text: text, file: "arch/arm64/Kconfig")
    #expect(k.diagnostics.isEmpty, "\(k.diagnostics)")
    let gcc9 = Kconfig.defaultBase.setting("CC_IS_CLANG", .no).setting("CC_IS_GCC", .yes)
      .setting("GCC_VERSION", .int(90_400))
    let configs = k.configurations(for: ["DYNAMIC_FTRACE_WITH_REGS"], base: gcc9)
    #expect(configs.count == 2)
    let on = configs[0]
    #expect(!on.isValid)
    #expect(
      on.rejections.map(\.location.line)
        == [Paths.baseLine("GCC_VERSION >= 100100", in: "arch/arm64/Kconfig")])
    #expect(on.rejections.first?.message.contains("GCC_VERSION=90400") == true)
    #expect(configs[1].isValid)
    #expect(
      on.warnings.contains { $0.message.hasPrefix("DYNAMIC_FTRACE_WITH_REGS is not defined") })
    #expect(on.config.isEnabled("FTRACE_MCOUNT_USE_PATCHABLE_FUNCTION_ENTRY"))
    // With Clang the BTI configuration is valid.
    let clang = k.configurations(for: ["DYNAMIC_FTRACE_WITH_REGS"])
    #expect(clang[0].isValid, "\(clang[0].rejections)")
  }

  @Test func aBTISettingOfTheCallerIsNotVaried() throws {
    let text = try #require(Paths.read(Paths.seriesBase + "/arch/arm64/Kconfig"))
    let k = Kconfig.parse(text: text, file: "arch/arm64/Kconfig")
    for on in [true, false] {
      let base = Kconfig.defaultBase.setting("ARM64_BTI_KERNEL", on ? .yes : .no)
      let configs = k.configurations(for: ["DYNAMIC_FTRACE_WITH_REGS"], base: base)
      #expect(configs.map(\.bti) == [on])
      #expect(configs.first?.config.isEnabled("ARM64_BTI_KERNEL") == on)
      #expect(
        configs.first?.name.hasSuffix(on ? " ARM64_BTI_KERNEL" : " !ARM64_BTI_KERNEL") == true)
    }
  }

  @Test func expressionsAndBadLines() {
    let (text, m) = Markers.extract(
      """
      config A
      	bool
      	default y if (B || C) && !D
      ⟪1⟫	depends on B &&
      config B
      	def_bool y
      config N
      	int
      	default 3 if A
      	default 1
      ⟪2⟫	frobnicate
      """)
    let k = Kconfig.parse(text: text, file: "K")
    #expect(k.diagnostics.map(\.location.line) == [m["1"]?.line, m["2"]?.line].compactMap { $0 })
    #expect(k.diagnostics.allSatisfy { $0.id == KernelSourceMessage.couldNotModel })
    let cfg = KernelConfig()
    #expect(
      k.evaluate(.compare(">=", .symbol("X"), .symbol("100")), in: cfg.setting("X", .int(101))) == 2
    )
    #expect(
      k.evaluate(.compare("=", .symbol("S"), .constant("y")), in: cfg.setting("S", .yes)) == 2)
    #expect(k.evaluate(.not(.symbol("M")), in: cfg.setting("M", .module)) == 1)
    let (resolved, _) = k.resolve(KernelConfig())
    #expect(resolved.isEnabled("B"))
    #expect(resolved.integer("N") == 1)  // A's dependency B && <nothing> fails to parse: A is n
  }
}

@Test func menuAndChoiceDependenciesStayInsideTheirBlocks() {
  let (text, m) = Markers.extract(
    """
    menu "Tracers"
    	depends on TRACING_SUPPORT
    config IN_MENU
    	bool "in"
    choice
    	prompt "mode"
    	depends on IN_MENU
    config MODE_A
    	bool "a"
    endchoice
    config AFTER_CHOICE
    	bool "after"
    endmenu
    config OUTSIDE
    	bool "outside"
    ⟪1⟫endif
    ⟪2⟫menu "never closed"
    """)
  let k = Kconfig.parse(text: text, file: "K")
  #expect(k.entries["IN_MENU"]?.first?.dependsOn.map(\.value) == [.symbol("TRACING_SUPPORT")])
  #expect(
    k.entries["MODE_A"]?.first?.dependsOn.map(\.value) == [
      .symbol("TRACING_SUPPORT"), .symbol("IN_MENU"),
    ])
  #expect(k.entries["AFTER_CHOICE"]?.first?.dependsOn.map(\.value) == [.symbol("TRACING_SUPPORT")])
  #expect(k.entries["OUTSIDE"]?.first?.dependsOn.isEmpty == true)
  #expect(k.diagnostics.map(\.location.line) == [m["1"]?.line, m["2"]?.line].compactMap { $0 })
}

@Test func loadFollowsSourcesAndReportsMissingOnes() {
  let tree = InMemoryTree([
    "Kconfig": "source \"arch/$(SRCARCH)/Kconfig\"\nsource \"gone/Kconfig\"\n",
    "arch/arm64/Kconfig": "config ARM64\n\tdef_bool y\nrsource \"sub/Kconfig\"\n",
    "arch/arm64/sub/Kconfig": "config SUB\n\tbool \"sub\"\n",
  ])
  let k = Kconfig.load(tree: tree)
  #expect(k.order == ["ARM64", "SUB"])
  #expect(k.diagnostics.map(\.id) == [KernelSourceMessage.missingInclude])
  #expect(k.diagnostics.first?.location == SourceLocation(file: "Kconfig", line: 2))
}

/// A tree that names each text by a version and counts the texts read.
private final class VersionedTree: KernelTree, @unchecked Sendable {
  let files: [String: (version: String, text: String)]
  private(set) var reads = 0
  init(_ files: [String: (version: String, text: String)]) { self.files = files }
  func contents(of path: String) -> String? {
    reads += 1
    return files[path]?.text
  }
  func version(of path: String) -> String? { files[path]?.version }
}

/// Kconfig files named by a version are parsed once per version: a second tree with the same
/// versions reads no text and gets the same entries; a new version is read.
@Test func kconfigFilesAreParsedOncePerVersion() {
  let root = "mainmenu \"x\"\nsource \"arch/$(SRCARCH)/Kconfig\"\n"
  let arm = "config A\n\tbool \"a\"\n\tdefault y\n"
  let tag = "test-\(UInt64.random(in: 0...UInt64.max))"
  let first = VersionedTree([
    "Kconfig": (tag + "-root", root), "arch/arm64/Kconfig": (tag + "-a1", arm),
  ])
  let k1 = Kconfig.load(tree: first)
  #expect(first.reads == 2 && k1.entries["A"] != nil)
  let again = VersionedTree([
    "Kconfig": (tag + "-root", root), "arch/arm64/Kconfig": (tag + "-a1", arm),
  ])
  let k2 = Kconfig.load(tree: again)
  #expect(again.reads == 0)
  #expect(k2.order == k1.order && k2.entries["A"]?.first?.name == "A")
  let changed = VersionedTree([
    "Kconfig": (tag + "-root", root),
    "arch/arm64/Kconfig": (tag + "-a2", arm + "config B\n\tdef_bool y\n"),
  ])
  let k3 = Kconfig.load(tree: changed)
  #expect(changed.reads == 1 && k3.entries["B"] != nil)
  // The versions name the entries, so the resolved configurations are kept by them.
  #expect(k1.sourceKey != nil && k1.sourceKey == k2.sourceKey && k3.sourceKey != k1.sourceKey)
  #expect(k2.configurations(for: ["A"]) == k1.configurations(for: ["A"]))
  #expect(k3.configurations(for: ["A"]).allSatisfy { $0.config.isEnabled("A") })
  #expect(k3.configurations(for: ["A"]) != k1.configurations(for: ["A"]))
  // A tree without versions, or entries merged in after, have no key.
  #expect(Kconfig.load(tree: InMemoryTree(["Kconfig": arm])).sourceKey == nil)
  var merged = k1
  merged.merge(Kconfig.parse(text: "config C\n\tbool\n", file: "K"))
  #expect(merged.sourceKey == nil && merged.entries["C"] != nil)
}
