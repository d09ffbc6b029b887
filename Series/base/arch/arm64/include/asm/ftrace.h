/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Patchsite teaching tree: what the rest of the kernel needs to know about
 * the arm64 ftrace callsite.
 */
#ifndef __ASM_FTRACE_H
#define __ASM_FTRACE_H

#include <asm/insn.h>

/* The word ftrace patches is one A64 instruction: the BL (or its NOP). */
#define MCOUNT_INSN_SIZE	AARCH64_INSN_SIZE

/* Slots of a module's .text.ftrace_trampoline section, one per trampoline. */
#define FTRACE_PLT_IDX		0
#define FTRACE_REGS_PLT_IDX	1
#define NR_FTRACE_PLTS		2

#ifdef CONFIG_DYNAMIC_FTRACE_WITH_REGS
#define ARCH_SUPPORTS_FTRACE_OPS 1
#else
#define MCOUNT_ADDR		((unsigned long)_mcount)
#endif

#ifndef __ASSEMBLY__

struct dyn_ftrace;
struct module;

/* arm64 keeps nothing per callsite beyond what generic ftrace records. */
struct dyn_arch_ftrace {
};

extern void _mcount(unsigned long);
extern unsigned long ftrace_graph_call;
extern void return_to_handler(void);

/*
 * ftrace records, for each function, the address the compiler put in
 * __patchable_function_entries: the first of the two NOPs. ftrace wants
 * rec->ip to be the word it toggles between NOP and BL, which is the
 * second of them.
 */
static inline unsigned long ftrace_call_adjust(unsigned long addr)
{
	if (!IS_ENABLED(CONFIG_DYNAMIC_FTRACE_WITH_REGS))
		return addr;

	return addr + AARCH64_INSN_SIZE;
}

#ifdef CONFIG_DYNAMIC_FTRACE_WITH_REGS
#define ftrace_init_nop ftrace_init_nop
int ftrace_init_nop(struct module *mod, struct dyn_ftrace *rec);
#endif

#endif /* __ASSEMBLY__ */

#endif /* __ASM_FTRACE_H */
