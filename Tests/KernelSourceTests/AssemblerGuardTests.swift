import Testing

@testable import KernelSource

/// Headers shared by C and assembler keep their C behind a guard: the newest kernels test
/// `__ASSEMBLER__` (which the compiler driver defines for every `.S`), older ones the
/// kernel's own `-D__ASSEMBLY__`. `entry-ftrace.S` must see the assembler half of either,
/// and `ftrace.c` the C half.
@Suite struct AssemblerGuardTests {
  /// A header in the newest style: C unless `__ASSEMBLER__`, an assembler macro otherwise.
  static func header(guardedBy name: String) -> String {
    """
    #ifndef TEACH_GUARD_H
    #define TEACH_GUARD_H
    #define SLOT_BYTES 4
    #ifndef \(name)
    struct callsite_words { unsigned int w[2]; };
    static inline unsigned long ftrace_call_adjust(unsigned long addr)
    {
    	return addr + SLOT_BYTES;
    }
    #else
    	.macro slot_nop
    	nop
    	.endm
    #endif
    #endif
    """
  }

  static let entry = """
    #include <asm/guarded.h>

    SYM_CODE_START(ftrace_caller)
    	slot_nop
    	ret
    SYM_CODE_END(ftrace_caller)
    """

  static let ftrace = """
    #include <asm/guarded.h>

    int ftrace_make_call(struct dyn_ftrace *rec, unsigned long addr)
    {
    	return 0;
    }
    """

  static func tree(_ guardName: String) -> InMemoryTree {
    InMemoryTree([
      "arch/arm64/include/asm/guarded.h": header(guardedBy: guardName),
      "arch/arm64/kernel/entry-ftrace.S": entry, "arch/arm64/kernel/ftrace.c": ftrace,
    ])
  }

  @Test(arguments: ["__ASSEMBLER__", "__ASSEMBLY__"])
  func theAssemblerSeesOnlyTheAssemblerHalf(_ guardName: String) {
    let out = AsmPreprocessor(config: KernelConfig()).run(
      text: Self.entry, file: "arch/arm64/kernel/entry-ftrace.S", tree: Self.tree(guardName))
    let text = out.lines.map(\.text)
    #expect(!text.contains { $0.contains("struct") || $0.contains("return") }, "\(text)")
    // The header's macro expands: the trampoline's first word is its NOP.
    #expect(out.body(of: "ftrace_caller").map(\.text).contains { $0.contains("nop") })
    #expect(!out.diagnostics.contains { $0.id == KernelSourceMessage.unknownMacro })
    #expect(out.symbol(named: "ftrace_caller") != nil)
  }

  @Test(arguments: ["__ASSEMBLER__", "__ASSEMBLY__"])
  func theCSeesOnlyTheCHalf(_ guardName: String) {
    let x = TransitionExtractor(
      text: Self.ftrace, file: "arch/arm64/kernel/ftrace.c", config: KernelConfig(),
      tree: Self.tree(guardName))
    #expect(x.transitions()["ftrace_call_adjust"] != nil)
    #expect(x.constants["SLOT_BYTES"] == 4)
  }

  @Test func bothNamesArePredefinedForAssembler() {
    #expect(AsmPreprocessor.predefined["__ASSEMBLER__"] != nil)
    #expect(AsmPreprocessor.predefined["__ASSEMBLY__"] != nil)
  }
}
