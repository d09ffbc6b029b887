/// What Patchsite assumes of an arm64 ftrace callsite when a series' hunks do not show it: the
/// facts of each era of `../shared/DOMAIN.md` §4, written as a small Makefile and `ftrace.c` of
/// the project's own, read by the same readers as a real tree. A layout rebuilt from hunks uses
/// a default only for what its hunks do not show, and lists each one it used.
public struct EraDefaults: Sendable, Hashable {
  /// The era, from the options a configuration turns on.
  public enum Era: String, Sendable, Hashable {
    /// `-fpatchable-function-entry=2`: MOV X9, X30 then NOP/BL (WITH_REGS, WITH_ARGS).
    case twoNops = "DYNAMIC_FTRACE_WITH_REGS/ARGS (-fpatchable-function-entry=2)"
    /// `-fpatchable-function-entry=4,2` with the ops literal in front (WITH_CALL_OPS).
    case callOps = "DYNAMIC_FTRACE_WITH_CALL_OPS (-fpatchable-function-entry=4,2)"
  }

  public var era: Era

  /// The era a configuration is in; nil for the `-pg`/mcount era, which has no patchable entry.
  public init?(config: KernelConfig) {
    if config.isEnabled("DYNAMIC_FTRACE_WITH_CALL_OPS") {
      era = .callOps
    } else if config.isEnabled("DYNAMIC_FTRACE_WITH_ARGS")
      || config.isEnabled("DYNAMIC_FTRACE_WITH_REGS")
    {
      era = .twoNops
    } else {
      return nil
    }
  }

  public static let makefilePath = "<era defaults>/arch/arm64/Makefile"
  public static let ftracePath = "<era defaults>/arch/arm64/kernel/ftrace.c"

  /// The Makefile lines of the era: the patchable entry, BTI, and (CALL_OPS) the alignment.
  public var makefile: String {
    var s = """
      ifeq ($(CONFIG_ARM64_BTI_KERNEL),y)
        KBUILD_CFLAGS += -mbranch-protection=pac-ret+bti
      endif

      """
    switch era {
    case .twoNops:
      s += "CC_FLAGS_FTRACE := -fpatchable-function-entry=2\n"
    case .callOps:
      s += "CC_FLAGS_FTRACE := -fpatchable-function-entry=4,2\n"
      s += "KBUILD_CFLAGS += -falign-functions=8\n"
    }
    return s
  }

  /// The `ftrace.c` functions of the era, in the project's words.
  public var ftrace: String {
    var s = """
      /* The word at pc, replaced by new after an optional check that old is there. */
      static int ftrace_modify_code(unsigned long pc, u32 old, u32 new, bool validate)
      {
      	return aarch64_insn_patch_text_nosync((void *)pc, new);
      }

      /* Out of BL range: a module's callsite goes through its PLT entry. */
      static bool ftrace_find_callable_addr(struct dyn_ftrace *rec, struct module *mod,
      				      unsigned long *addr)
      {
      	long distance = (long)*addr - (long)rec->ip;

      	if (distance >= -SZ_128M && distance < SZ_128M)
      		return true;
      	if (!mod)
      		mod = __module_text_address(rec->ip);
      	if (!mod)
      		return false;
      	*addr = (unsigned long)&mod->arch.ftrace_trampolines[FTRACE_PLT_IDX];
      	return true;
      }

      """
    switch era {
    case .twoNops:
      s += """
        unsigned long ftrace_call_adjust(unsigned long addr)
        {
        	/* the BL slot is the second of the two NOPs */
        	return addr + AARCH64_INSN_SIZE;
        }

        static int ftrace_set_ops(struct dyn_ftrace *rec, unsigned long ops)
        {
        	return 0;
        }

        """
    case .callOps:
      s += """
        unsigned long ftrace_call_adjust(unsigned long addr)
        {
        	/* the record is the 8-aligned literal, two NOPs before the function */
        	if (!IS_ALIGNED(addr, 8))
        		return 0;
        	addr += 2 * AARCH64_INSN_SIZE;
        	if (IS_ENABLED(CONFIG_ARM64_BTI_KERNEL) &&
        	    aarch64_insn_is_bti(le32_to_cpu(*(__le32 *)addr)))
        		addr += AARCH64_INSN_SIZE;
        	/* past the MOV X9, X30 slot */
        	return addr + AARCH64_INSN_SIZE;
        }

        /* The literal in front of the function, 8-aligned below the BL slot. */
        static int ftrace_set_ops(struct dyn_ftrace *rec, unsigned long ops)
        {
        	return aarch64_insn_write_literal_u64((void *)ALIGN_DOWN(rec->ip - 12, 8), ops);
        }

        """
    }
    s += """
      static unsigned long ftrace_ops_for(struct dyn_ftrace *rec)
      {
      	if (rec->flags & FTRACE_FL_CALL_OPS_EN)
      		return (unsigned long)ftrace_find_unique_ops(rec);
      	return (unsigned long)&ftrace_list_ops;
      }

      int ftrace_init_nop(struct module *mod, struct dyn_ftrace *rec)
      {
      	ftrace_set_ops(rec, (unsigned long)&ftrace_nop_ops);
      	return ftrace_modify_code(rec->ip - AARCH64_INSN_SIZE, aarch64_insn_gen_nop(),
      				  aarch64_insn_gen_move_reg(AARCH64_INSN_REG_9,
      							    AARCH64_INSN_REG_LR,
      							    AARCH64_INSN_VARIANT_64BIT),
      				  true);
      }

      int ftrace_make_call(struct dyn_ftrace *rec, unsigned long addr)
      {
      	if (!ftrace_find_callable_addr(rec, NULL, &addr))
      		return -EINVAL;
      	ftrace_set_ops(rec, ftrace_ops_for(rec));
      	return ftrace_modify_code(rec->ip, aarch64_insn_gen_nop(),
      				  aarch64_insn_gen_branch_imm(rec->ip, addr,
      							      AARCH64_INSN_BRANCH_LINK),
      				  true);
      }

      int ftrace_make_nop(struct module *mod, struct dyn_ftrace *rec, unsigned long addr)
      {
      	if (!ftrace_find_callable_addr(rec, mod, &addr))
      		return -EINVAL;
      	ftrace_set_ops(rec, (unsigned long)&ftrace_nop_ops);
      	return ftrace_modify_code(rec->ip,
      				  aarch64_insn_gen_branch_imm(rec->ip, addr,
      							      AARCH64_INSN_BRANCH_LINK),
      				  aarch64_insn_gen_nop(), true);
      }

      /* arm64 patches without stop_machine: every runtime write is NOP <-> BL. */
      void arch_ftrace_update_code(int command)
      {
      	ftrace_modify_all_code(command | FTRACE_MAY_SLEEP);
      }

      """
    return s
  }
}
