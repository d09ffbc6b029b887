// Patchsite test fixture: an ftrace.c shaped like the 2022 pre-entry literal proposal.
// Seven NOPs per function; five sit in front of it and hold a 64-bit literal (the far
// trampoline) and a two-word call stub, LDR X16 <literal> then BR X16.

#define LITERAL_CALL_OFFSET (3 * AARCH64_INSN_SIZE)

/* Read-compare-write of one instruction word. */
static int ftrace_modify_code(unsigned long pc, u32 old, u32 new, bool validate)
{
	u32 cur;

	if (validate && aarch64_insn_read((void *)pc, &cur))
		return -EFAULT;
	if (validate && cur != old)
		return -EINVAL;
	return aarch64_insn_patch_text_nosync((void *)pc, new) ? -EPERM : 0;
}

/* The literal first (so the stub never loads garbage), then the stub's two words. */
static int ftrace_init_literal(struct module *mod, struct dyn_ftrace *rec)
{
	unsigned long literal = rec->ip - 5 * AARCH64_INSN_SIZE;
	unsigned long pc = rec->ip - LITERAL_CALL_OFFSET;
	u32 load, jump;
	int err;

	err = aarch64_insn_write_literal_u64((void *)literal, (unsigned long)&ftrace_dummy_tramp);
	if (err)
		return err;

	load = aarch64_insn_gen_load_literal(pc, literal, AARCH64_INSN_REG_16, true);
	err = ftrace_modify_code(pc, aarch64_insn_gen_nop(), load, true);
	if (err)
		return err;

	jump = aarch64_insn_gen_branch_reg(AARCH64_INSN_REG_16, AARCH64_INSN_BRANCH_NOLINK);
	return ftrace_modify_code(pc + AARCH64_INSN_SIZE, aarch64_insn_gen_nop(), jump, true);
}

/* Boot time: the stub, then MOV X9, X30 just before the BL slot. */
int ftrace_init_nop(struct module *mod, struct dyn_ftrace *rec)
{
	unsigned long pc = rec->ip - AARCH64_INSN_SIZE;
	int err = ftrace_init_literal(mod, rec);

	if (err)
		return err;
	return ftrace_modify_code(pc, aarch64_insn_gen_nop(),
				  aarch64_insn_gen_move_reg(AARCH64_INSN_REG_9, AARCH64_INSN_REG_LR,
							    AARCH64_INSN_VARIANT_64BIT),
				  true);
}

/* Near targets get a BL of their own; far ones go through the stub. */
int ftrace_make_call(struct dyn_ftrace *rec, unsigned long addr)
{
	unsigned long pc = rec->ip;
	u32 call;

	if (reachable_by_bl(addr, pc))
		call = aarch64_insn_gen_branch_imm(pc, addr, AARCH64_INSN_BRANCH_LINK);
	else
		call = aarch64_insn_gen_branch_imm(pc, pc - LITERAL_CALL_OFFSET,
						   AARCH64_INSN_BRANCH_LINK);
	return ftrace_modify_code(pc, aarch64_insn_gen_nop(), call, true);
}

/* Two odd generators, so the extractor's hint and ADRP forms are exercised too. */
int ftrace_update_landing_pad(unsigned long pc)
{
	return aarch64_insn_patch_text_nosync((void *)pc,
					      aarch64_insn_gen_hint(AARCH64_INSN_HINT_BTIJ));
}

int ftrace_make_adr(struct dyn_ftrace *rec)
{
	return aarch64_insn_patch_text_nosync((void *)rec->ip,
		aarch64_insn_gen_adr(rec->ip, ftrace_caller, AARCH64_INSN_REG_17, AARCH64_INSN_ADR_TYPE_ADRP));
}
