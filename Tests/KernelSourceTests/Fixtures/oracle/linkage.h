/*
 * Patchsite test oracle (written for Patchsite, not taken from the kernel): the arm64 linkage
 * and address macros with the semantics KernelSource's AsmPreprocessor gives them, written as
 * cpp and GNU as macros, so `cpp | as` over a .S file can be compared with KernelSource's
 * expansion assembled by the same `as`.
 */
#define PATCHSITE_GLOBAL(name) .globl name ;

#ifdef CONFIG_ARM64_BTI_KERNEL
#define PATCHSITE_BTI_C bti c ;
#else
#define PATCHSITE_BTI_C
#endif

#define PATCHSITE_FUNC(name, vis) vis .balign PATCHSITE_ALIGN ; .type name, %function ; name: ; PATCHSITE_BTI_C
#define SYM_FUNC_START(name) PATCHSITE_FUNC(name, PATCHSITE_GLOBAL(name))
#define SYM_TYPED_FUNC_START(name) PATCHSITE_FUNC(name, PATCHSITE_GLOBAL(name))
#define SYM_FUNC_START_LOCAL(name) PATCHSITE_FUNC(name, )
#define SYM_FUNC_END(name) .type name, %function ; .size name, . - name
#define SYM_CODE_START(name) .globl name ; .balign PATCHSITE_ALIGN ; name:
#define SYM_CODE_START_LOCAL(name) .balign PATCHSITE_ALIGN ; name:
#define SYM_CODE_END(name) .size name, . - name
#define SYM_L_GLOBAL(name) .globl name ;
#define SYM_L_LOCAL(name)
#define SYM_INNER_LABEL(name, linkage) linkage(name) name:
#define EXPORT_SYMBOL(name)
#define NOKPROBE(name)

	.macro ldr_l, dst, sym, tmp=
	.ifb \tmp
	adrp \dst, \sym
	ldr \dst, [\dst, :lo12:\sym]
	.else
	adrp \tmp, \sym
	ldr \dst, [\tmp, :lo12:\sym]
	.endif
	.endm

	.macro adr_l, dst, sym
	adrp \dst, \sym
	add \dst, \dst, :lo12:\sym
	.endm
