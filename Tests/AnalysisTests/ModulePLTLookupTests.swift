import KernelSource
import Testing

@testable import Analysis

/// The example base tree with its `get_ftrace_plt` swapped for the other ways kernels have
/// found a module's ftrace PLT entry: the far state must still branch to the module's PLT,
/// and the rebuild must not fall back on a guess.
enum PLTLookupTree {
  static let original = """
    	plt = get_ftrace_plt(mod, *addr);
    """

  /// Newer kernels: a table for the module's core text and another for its init text, chosen
  /// by where the callsite lies.
  static let byTextKind = """
    static struct plt_entry *get_ftrace_plt(struct module *mod,
    					unsigned long site)
    {
    	struct plt_entry *table;

    	/* Code that is freed after init has entries of its own. */
    	if (within_module_mem_type(site, mod, MOD_INIT_TEXT))
    		table = mod->arch.init_ftrace_trampolines;
    	else if (within_module_mem_type(site, mod, MOD_TEXT))
    		table = mod->arch.ftrace_trampolines;
    	else
    		return NULL;
    	return &table[FTRACE_PLT_IDX];
    }
    """

  /// Older kernels: a single entry per module, for the one trampoline there was.
  static let singleEntry = """
    static struct plt_entry *get_ftrace_plt(struct module *mod,
    					unsigned long site)
    {
    	/* One entry serves the whole module. */
    	return mod->arch.ftrace_trampoline;
    }
    """

  /// The base tree with `get_ftrace_plt` replaced by `helper`, called with the callsite.
  static func tree(helper: String) throws -> InMemoryTree {
    var files: [String: String] = [:]
    for p in [
      "arch/arm64/Makefile", "arch/arm64/Kconfig", "arch/arm64/kernel/entry-ftrace.S",
      "arch/arm64/include/asm/ftrace.h",
    ] {
      files[p] = try #require(Fixture.base.contents(of: p))
    }
    var c = try #require(Fixture.base.contents(of: FtraceSources.ftracePath))
    let start = try #require(c.range(of: "static struct plt_entry *get_ftrace_plt("))
    let end = try #require(c.range(of: "\n}\n", range: start.upperBound..<c.endIndex))
    c.replaceSubrange(start.lowerBound..<end.upperBound, with: helper)
    let call = try #require(c.range(of: original))
    c.replaceSubrange(call, with: "\tplt = get_ftrace_plt(mod, rec->ip);\n")
    files[FtraceSources.ftracePath] = c
    return InMemoryTree(files)
  }

  static func layout(helper: String) throws -> Layout {
    Fixture.layout(
      try tree(helper: helper),
      Fixture.regs.setting("ARM64_BTI_KERNEL", .yes).setting("ARM64_MODULE_PLTS", .yes))
  }
}

@Suite struct ModulePLTLookupTests {
  @Test func aModuleFunctionUsesTheCoreTextTable() throws {
    let l = try PLTLookupTree.layout(helper: PLTLookupTree.byTextKind)
    let far = try #require(l.state("far"))
    #expect(far.placement == .module)
    let slot = try #require(l.recordOffset)
    #expect(Fixture.text(far, slot)?.hasSuffix("<<module ftrace PLT>>") == true)
    #expect(!l.diagnostics.contains { $0.id == LayoutMessage.couldNotModel }, "\(l.diagnostics)")
  }

  @Test func theSingleEntryOfOlderModulesIsTheirPLT() throws {
    let l = try PLTLookupTree.layout(helper: PLTLookupTree.singleEntry)
    let slot = try #require(l.recordOffset)
    #expect(Fixture.text(l.state("far"), slot)?.hasSuffix("<<module ftrace PLT>>") == true)
    #expect(!l.diagnostics.contains { $0.id == LayoutMessage.couldNotModel }, "\(l.diagnostics)")
  }

  /// Core kernel text and the module's init text are not the module's core text.
  @Test func onlyTheModulesCoreTextCounts() {
    var env = ScenarioEnvironment(
      config: Fixture.regs, constants: [:], symbols: SymbolSpace(firstFree: 0x1000),
      placement: Placement())
    let mod = CExpr.int(ScenarioEnvironment.moduleStruct)
    func within(_ kind: String) -> Int64? {
      CEvaluator.evaluate(
        .call("within_module_mem_type", [.int(0), mod, .identifier(kind)]), in: env)
    }
    #expect(within("MOD_TEXT") == 0)
    env.module = true
    #expect(within("MOD_TEXT") == 1)
    #expect(within("MOD_INIT_TEXT") == 0)
  }
}
