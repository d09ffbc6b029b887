// A ftrace.c in the shape of the 2022 pre-entry literal proposal (written for Patchsite's
// tests): seven NOPs, a literal before the function, LDR X16 + BR X16 as a far call stub.

#define LITERAL_CALL_OFFSET (3 * AARCH64_INSN_SIZE)

static int ftrace_modify_code(unsigned long pc, u32 old, u32 new, bool validate)
{
	u32 replaced;

	if (validate) {
		if (aarch64_insn_read((void *)pc, &replaced))
			return -EFAULT;
		if (replaced != old)
			return -EINVAL;
	}
	if (aarch64_insn_patch_text_nosync((void *)pc, new))
		return -EPERM;
	return 0;
}

static int ftrace_init_literal(struct module *mod, struct dyn_ftrace *rec)
{
	unsigned long literal = rec->ip - 5 * AARCH64_INSN_SIZE;
	unsigned long pc = rec->ip - LITERAL_CALL_OFFSET;
	u32 ldr, br;
	int ret;

	ret = aarch64_insn_write_literal_u64((void *)literal, (unsigned long)&ftrace_dummy_tramp);
	if (ret)
		return ret;

	ldr = aarch64_insn_gen_load_literal(pc, literal, AARCH64_INSN_REG_16, true);
	ret = ftrace_modify_code(pc, aarch64_insn_gen_nop(), ldr, true);
	if (ret)
		return ret;

	br = aarch64_insn_gen_branch_reg(AARCH64_INSN_REG_16, AARCH64_INSN_BRANCH_NOLINK);
	return ftrace_modify_code(pc + AARCH64_INSN_SIZE, aarch64_insn_gen_nop(), br, true);
}

int ftrace_init_nop(struct module *mod, struct dyn_ftrace *rec)
{
	unsigned long pc = rec->ip - AARCH64_INSN_SIZE;
	int ret = ftrace_init_literal(mod, rec);

	if (ret)
		return ret;
	return ftrace_modify_code(pc, aarch64_insn_gen_nop(),
				  aarch64_insn_gen_move_reg(AARCH64_INSN_REG_9, AARCH64_INSN_REG_LR,
							    AARCH64_INSN_VARIANT_64BIT),
				  true);
}

int ftrace_make_call(struct dyn_ftrace *rec, unsigned long addr)
{
	unsigned long pc = rec->ip;
	u32 new;

	if (reachable_by_bl(addr, pc))
		new = aarch64_insn_gen_branch_imm(pc, addr, AARCH64_INSN_BRANCH_LINK);
	else
		new = aarch64_insn_gen_branch_imm(pc, pc - LITERAL_CALL_OFFSET,
						  AARCH64_INSN_BRANCH_LINK);
	return ftrace_modify_code(pc, aarch64_insn_gen_nop(), new, true);
}

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
