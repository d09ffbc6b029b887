import AArch64
import KernelSource
import Testing

@testable import Analysis

/// A small tree of the `-pg`/mcount era, written for these tests in the shape DOMAIN.md §4.1
/// gives: no patchable entry in the arch Makefile, an `_mcount` that only returns, a
/// `ftrace_caller` that builds its own frame record, and the two transitions that turn the
/// `bl _mcount` into a NOP and into `bl ftrace_caller`.
enum McountTree {
  /// The arch Makefile of the era: it leaves `CC_FLAGS_FTRACE` to the top-level Makefile.
  static let quietMakefile = """
    KBUILD_CFLAGS += -mgeneral-regs-only
    ifeq ($(CONFIG_ARM64_MODULE_PLTS),y)
    KBUILD_LDFLAGS_MODULE += -T module.lds
    endif
    """

  /// An arch Makefile that says `-pg` itself, with pointer authentication and BTI when asked.
  static let explicitMakefile = """
    ifeq ($(CONFIG_ARM64_BTI_KERNEL),y)
    KBUILD_CFLAGS += -mbranch-protection=pac-ret+leaf+bti
    endif
    CC_FLAGS_FTRACE := -pg
    """

  static let kconfig = """
    config ARM64
    	def_bool y
    	select HAVE_DYNAMIC_FTRACE
    	select HAVE_FUNCTION_TRACER

    config ARM64_BTI_KERNEL
    	bool "Use BTI in the kernel"
    """

  static let header = """
    #ifndef TEACHING_FTRACE_H
    #define TEACHING_FTRACE_H
    #define MCOUNT_INSN_SIZE 4
    #define MCOUNT_ADDR ((unsigned long)_mcount)
    #ifndef __ASSEMBLY__
    extern void _mcount(unsigned long);
    static inline unsigned long ftrace_call_adjust(unsigned long addr)
    {
    	/* the __mcount_loc entry is the call itself */
    	return addr;
    }
    #endif
    #endif
    """

  static let entry = """
    #include <asm/ftrace.h>

    	.macro frame_in
    	stp	x29, x30, [sp, #-16]!
    	mov	x29, sp
    	.endm

    	.macro frame_out
    	ldp	x29, x30, [sp], #16
    	ret
    	.endm

    ENTRY(_mcount)
    	ret
    ENDPROC(_mcount)

    ENTRY(ftrace_caller)
    	frame_in
    	sub	x0, x30, #MCOUNT_INSN_SIZE
    	ldr	x1, [x29]
    	ldr	x1, [x1, #8]
    GLOBAL(ftrace_call)
    	nop
    	frame_out
    ENDPROC(ftrace_caller)
    """

  static let ftrace = """
    #include <asm/ftrace.h>

    static int ftrace_modify_code(unsigned long pc, u32 old, u32 new, bool validate)
    {
    	u32 now = 0;

    	if (validate && (aarch64_insn_read((void *)pc, &now) || now != old))
    		return -EINVAL;
    	return aarch64_insn_patch_text_nosync((void *)pc, new);
    }

    int ftrace_make_call(struct dyn_ftrace *rec, unsigned long addr)
    {
    	u32 bl = aarch64_insn_gen_branch_imm(rec->ip, addr, AARCH64_INSN_BRANCH_LINK);

    	return ftrace_modify_code(rec->ip, aarch64_insn_gen_nop(), bl, true);
    }

    int ftrace_make_nop(struct module *mod, struct dyn_ftrace *rec, unsigned long addr)
    {
    	u32 bl = aarch64_insn_gen_branch_imm(rec->ip, addr, AARCH64_INSN_BRANCH_LINK);

    	return ftrace_modify_code(rec->ip, bl, aarch64_insn_gen_nop(), true);
    }
    """

  /// `ftrace_make_call` as the era's modules needed it: out of BL range, the module's one
  /// ftrace PLT is filled on the first enable, found different by `comparison` (the older
  /// `plt_entries_equal`, or `memcmp`), and the BL goes to it.
  static func farFtrace(comparison: String, initialised: String) -> String {
    ftrace.replacingOccurrences(
      of: """
        int ftrace_make_call(struct dyn_ftrace *rec, unsigned long addr)
        {
        	u32 bl = aarch64_insn_gen_branch_imm(rec->ip, addr, AARCH64_INSN_BRANCH_LINK);
        """,
      with: """
        int ftrace_make_call(struct dyn_ftrace *rec, unsigned long addr)
        {
        	long distance = (long)rec->ip - (long)addr;
        	u32 bl;

        	if (distance >= SZ_128M || distance < -SZ_128M) {
        		struct plt_entry entry, *plt;
        		struct module *m = __module_text_address(rec->ip);

        		if (!m)
        			return -EINVAL;
        		plt = m->arch.ftrace_trampoline;
        		entry = get_plt_entry(addr);
        		if (\(comparison)) {
        			if (\(initialised))
        				return -EINVAL;
        			*plt = entry;
        			smp_wmb();
        		}
        		addr = (unsigned long)plt;
        	}
        	bl = aarch64_insn_gen_branch_imm(rec->ip, addr, AARCH64_INSN_BRANCH_LINK);
        """)
  }

  static func tree(makefile: String, ftrace: String = ftrace) -> InMemoryTree {
    InMemoryTree([
      "arch/arm64/Makefile": makefile, "arch/arm64/Kconfig": kconfig,
      "arch/arm64/include/asm/ftrace.h": header, "arch/arm64/kernel/entry-ftrace.S": entry,
      "arch/arm64/kernel/ftrace.c": ftrace,
    ])
  }

  static func layout(makefile: String, bti: Bool = false, ftrace: String = ftrace) -> Layout {
    let config = Kconfig.defaultBase.setting("ARM64_BTI_KERNEL", bti ? .yes : .no)
    return LayoutBuilder(
      sources: FtraceSources.read(tree: tree(makefile: makefile, ftrace: ftrace), config: config),
      source: "mcount", configuration: LayoutConfiguration(name: "mcount", bti: bti)
    ).build()
  }
}

@Suite struct McountEraLayoutTests {
  @Test func theTopLevelDefaultGivesTheMcountCallsite() throws {
    let l = McountTree.layout(makefile: McountTree.quietMakefile)
    let flags = try #require(l.build?.flags)
    #expect(flags.isMcount)
    #expect(flags.profiling?.defaulted == true)
    #expect(l.mcount?.entry == McountCallsite.EntryHint.none)
    let compiled = try #require(l.state(.compiled))
    #expect(
      compiled.words.map(\.text).dropLast() == [
        "stp x29, x30, [sp, #-16]!", "mov x29, sp", "xpaclri", "mov x0, x30",
      ])
    // The call reaches the _mcount of entry-ftrace.S, and the record is the call.
    let call = try #require(compiled.words.last)
    let mcount = try #require(l.trampolines.first { $0.name == "_mcount" }?.address)
    #expect(Words.branchTarget(A64.decode(call.word), pc: compiled.address(call.offset)) == mcount)
    #expect(l.recordOffset == call.offset)
    #expect(l.patchEntryOffset == call.offset)
    #expect(l.assumptions.contains { $0.text.contains("top-level default") })
    #expect(!l.diagnostics.contains { $0.id == LayoutMessage.couldNotModel })
  }

  @Test func theCoreTurnsTheCallIntoANopThenIntoACallToFtraceCaller() throws {
    let l = McountTree.layout(makefile: McountTree.quietMakefile)
    let slot = try #require(l.recordOffset)
    // Boot: the generic ftrace_init_nop is ftrace_make_nop with MCOUNT_ADDR, validated.
    let boot = try #require(l.transitions.first { $0.to == .initialized })
    #expect(boot.function == "ftrace_make_nop")
    #expect(boot.writes.map(\.offset) == [slot])
    #expect(boot.writes.map(\.api) == [.initTime])
    #expect(!l.diagnostics.contains { $0.id == LayoutMessage.validationMismatch })
    #expect(l.state(.initialized)?.word(at: slot)?.word == Words.nop)
    // Enabled and disabled again: the one word swings between NOP and BL ftrace_caller.
    #expect(l.state(.near)?.word(at: slot)?.text.hasSuffix("<ftrace_caller>") == true)
    #expect(l.state(.disabled)?.word(at: slot)?.word == Words.nop)
    for t in l.transitions { #expect(t.writes.allSatisfy { $0.offset == slot }) }
    // Everything before the call is the function's own and never changes.
    let compiled = try #require(l.state(.compiled))
    for s in l.states where s.placement == .core {
      #expect(s.words.dropLast().map(\.word) == compiled.words.dropLast().map(\.word))
    }
    #expect(!l.diagnostics.contains { $0.id == LayoutMessage.writeOutsidePatchArea })
  }

  /// The far state of the era: the module's single PLT, compared with the entry built for the
  /// target before it is filled, both as `plt_entries_equal` and as the later `memcmp`. The
  /// comparisons are answered (the PLT already points at the target), not guessed.
  @Test func aModuleOutOfRangeCallsThroughItsOnePLT() throws {
    let forms = [
      (
        "!plt_entries_equal(plt, &entry)", "!plt_entries_equal(plt, &(struct plt_entry){})"
      ),
      ("memcmp(plt, &entry, sizeof(entry))", "plt_entry_is_initialized(plt)"),
    ]
    for (comparison, initialised) in forms {
      let l = McountTree.layout(
        makefile: McountTree.quietMakefile,
        ftrace: McountTree.farFtrace(comparison: comparison, initialised: initialised))
      let slot = try #require(l.recordOffset)
      #expect(l.state(.near)?.word(at: slot)?.text.hasSuffix("<ftrace_caller>") == true)
      let far = try #require(l.state(.far), "\(comparison)")
      #expect(far.word(at: slot)?.text.hasSuffix("<<module ftrace PLT>>") == true, "\(comparison)")
      #expect(
        !l.diagnostics.contains { $0.id == LayoutMessage.couldNotModel },
        "\(comparison): \(l.diagnostics.map(\.message))")
    }
  }

  @Test func anExplicitPgWithPointerAuthenticationSignsFirst() throws {
    let l = McountTree.layout(makefile: McountTree.explicitMakefile, bti: true)
    #expect(l.build?.flags?.profiling?.defaulted == false)
    let compiled = try #require(l.state(.compiled))
    // pac-ret: PACIASP is the landing pad as well, so GCC emits no BTI C.
    #expect(compiled.words.first?.word == Words.paciasp)
    #expect(l.recordOffset == 20)
    let off = McountTree.layout(makefile: McountTree.explicitMakefile, bti: false)
    #expect(off.state(.compiled)?.words.first?.text == "stp x29, x30, [sp, #-16]!")
    #expect(off.recordOffset == 16)
  }

  @Test func aPatchableEntryStillWinsOverPg() {
    let l = McountTree.layout(
      makefile: McountTree.explicitMakefile + "\nCC_FLAGS_FTRACE := -fpatchable-function-entry=2\n")
    #expect(l.mcount == nil)
    #expect(l.state(.compiled)?.words.map(\.word) == [Words.nop, Words.nop])
  }

  /// The review's scenario runs the enabled state: ftrace_caller is entered from inside the
  /// traced function's frame and returns to the body, which undoes the frame and returns.
  @Test func theNearStateRunsBackToTheCaller() throws {
    let l = McountTree.layout(makefile: McountTree.quietMakefile)
    let near = try #require(l.state(.near))
    let scenario = try Scenario.build(l, near)
    let run = scenario.run()
    #expect(run.result.stop == .returned, "\(run.result.stop)")
    #expect(run.machine.sp == scenario.machine.sp, "the stack is balanced")
    let caller = try #require(scenario.symbols.symbol(named: "ftrace_caller"))
    #expect(run.steps.contains { $0.pc == caller.address })
    #expect(scenario.assumptions.contains { $0.contains("restores its frame record") })
  }
}
