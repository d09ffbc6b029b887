// SPDX-License-Identifier: GPL-2.0-only
/*
 * Patchsite teaching tree: dynamic ftrace for arm64 kernels whose
 * functions begin with two patchable NOPs (-fpatchable-function-entry=2).
 *
 * The two words of a traced function f, after any BTI landing pad:
 *
 *	slot 0		NOP as compiled; MOV X9, X30 from ftrace_init_nop() on
 *	slot 1 (ip)	NOP while f is not traced; BL <trampoline> while it is
 *
 * Slot 0 is written once, before anything can run f. Slot 1 changes
 * under CPUs that may be executing f. NOP and BL are both in the short
 * list of instructions the architecture lets one CPU replace while
 * another executes them, so one aligned 32-bit store is enough there and
 * ftrace does not need stop_machine() on arm64.
 */

#include <linux/ftrace.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include <asm/cacheflush.h>
#include <asm/ftrace.h>
#include <asm/insn.h>
#include <asm/patching.h>

/*
 * Every write below goes through here. With @validate, the word at @pc is
 * read back first and must be @old: finding anything else means ftrace's
 * idea of the callsite is wrong, and patching over it would be worse.
 */
static int ftrace_modify_code(unsigned long pc, u32 old, u32 new,
			      bool validate)
{
	u32 seen;

	if (validate) {
		if (aarch64_insn_read((void *)pc, &seen))
			return -EFAULT;
		if (seen != old)
			return -EINVAL;
	}

	if (aarch64_insn_patch_text_nosync((void *)pc, new))
		return -EPERM;
	return 0;
}

/*
 * ftrace_call, inside the trampoline, is a BL to the current tracer.
 * Repoint it; the trampoline is not a traced function, so no check.
 */
int ftrace_update_ftrace_func(ftrace_func_t func)
{
	unsigned long site = (unsigned long)&ftrace_call;
	u32 call;

	call = aarch64_insn_gen_branch_imm(site, (unsigned long)func,
					   AARCH64_INSN_BRANCH_LINK);
	return ftrace_modify_code(site, 0, call, false);
}

/*
 * Which of the module's PLT entries leads to trampoline @tramp. Each
 * module is given one entry per trampoline when it is loaded.
 */
static struct plt_entry *get_ftrace_plt(struct module *mod,
					unsigned long tramp)
{
#ifdef CONFIG_ARM64_MODULE_PLTS
	struct plt_entry *entries = mod->arch.ftrace_trampolines;

	if (tramp == FTRACE_ADDR)
		return &entries[FTRACE_PLT_IDX];
	if (tramp == FTRACE_REGS_ADDR)
		return &entries[FTRACE_REGS_PLT_IDX];
#endif
	return NULL;
}

/*
 * A BL spans +/-128 MiB. Core kernel text always reaches the trampolines;
 * a module may not, and then its callsites branch to the module's PLT
 * entry for the trampoline instead. On success *@addr is something the
 * BL at rec->ip can reach.
 */
static bool ftrace_find_callable_addr(struct dyn_ftrace *rec,
				      struct module *mod,
				      unsigned long *addr)
{
	long offset = (long)*addr - (long)rec->ip;
	struct plt_entry *plt;

	if (offset >= -SZ_128M && offset < SZ_128M)
		return true;

	/* Out of reach, and nowhere to bounce through. */
	if (!IS_ENABLED(CONFIG_ARM64_MODULE_PLTS))
		return false;

	/* ftrace_make_nop() knows the module; the other callers do not. */
	if (!mod) {
		preempt_disable();
		mod = __module_text_address(rec->ip);
		preempt_enable();
	}
	if (WARN_ON(!mod))
		return false;

	plt = get_ftrace_plt(mod, *addr);
	if (!plt) {
		pr_err("ftrace: %ps has no PLT entry in %s\n", (void *)*addr,
		       mod->name);
		return false;
	}

	*addr = (unsigned long)plt;
	return true;
}

/* Start tracing f: slot 1 goes from NOP to BL @addr. */
int ftrace_make_call(struct dyn_ftrace *rec, unsigned long addr)
{
	u32 nop, call;

	if (!ftrace_find_callable_addr(rec, NULL, &addr))
		return -EINVAL;

	nop = aarch64_insn_gen_nop();
	call = aarch64_insn_gen_branch_imm(rec->ip, addr,
					   AARCH64_INSN_BRANCH_LINK);
	return ftrace_modify_code(rec->ip, nop, call, true);
}

/* Stop tracing f: slot 1 goes from BL @addr back to NOP. */
int ftrace_make_nop(struct module *mod, struct dyn_ftrace *rec,
		    unsigned long addr)
{
	u32 call, nop;

	if (!ftrace_find_callable_addr(rec, mod, &addr))
		return -EINVAL;

	call = aarch64_insn_gen_branch_imm(rec->ip, addr,
					   AARCH64_INSN_BRANCH_LINK);
	nop = aarch64_insn_gen_nop();
	return ftrace_modify_code(rec->ip, call, nop, true);
}

#ifdef CONFIG_DYNAMIC_FTRACE_WITH_REGS
/*
 * Switch f between ftrace_caller and ftrace_regs_caller: one BL replaced
 * by another, which is as safe under running CPUs as NOP <-> BL.
 */
int ftrace_modify_call(struct dyn_ftrace *rec, unsigned long old_addr,
		       unsigned long addr)
{
	u32 from, to;

	if (!ftrace_find_callable_addr(rec, NULL, &old_addr) ||
	    !ftrace_find_callable_addr(rec, NULL, &addr))
		return -EINVAL;

	from = aarch64_insn_gen_branch_imm(rec->ip, old_addr,
					   AARCH64_INSN_BRANCH_LINK);
	to = aarch64_insn_gen_branch_imm(rec->ip, addr,
					 AARCH64_INSN_BRANCH_LINK);
	return ftrace_modify_code(rec->ip, from, to, true);
}

/*
 * Slot 0, the word before rec->ip, becomes MOV X9, X30 so that the BL in
 * slot 1 does not lose f's return address. MOV is not safe to swap under
 * a running CPU, but this runs at boot or module load, before f can.
 */
int ftrace_init_nop(struct module *mod, struct dyn_ftrace *rec)
{
	unsigned long slot0 = rec->ip - AARCH64_INSN_SIZE;
	u32 nop, save_lr;

	nop = aarch64_insn_gen_nop();
	save_lr = aarch64_insn_gen_move_reg(AARCH64_INSN_REG_9,
					    AARCH64_INSN_REG_LR,
					    AARCH64_INSN_VARIANT_64BIT);
	return ftrace_modify_code(slot0, nop, save_lr, true);
}
#endif /* CONFIG_DYNAMIC_FTRACE_WITH_REGS */

/*
 * Every runtime write above is NOP <-> BL or BL <-> BL, so the generic
 * code may patch with other CPUs running and may sleep between records.
 */
void arch_ftrace_update_code(int command)
{
	command |= FTRACE_MAY_SLEEP;
	ftrace_modify_all_code(command);
}
