// SPDX-License-Identifier: GPL-2.0-only
/*
 * Patchsite teaching tree: how arm64 rewrites its own text.
 *
 * Kernel text is mapped read-only, so a word is written through a
 * temporary writable alias of its page (a fixmap slot), under a lock
 * that keeps two writers from sharing the slot. The new instruction then
 * has to be pushed out of the data cache and the stale copy dropped from
 * the instruction cache, or a CPU may go on fetching the old word.
 */
#include <asm/cacheflush.h>
#include <asm/fixmap.h>
#include <asm/patching.h>
#include <linux/spinlock.h>
#include <linux/stop_machine.h>
#include <linux/uaccess.h>

static DEFINE_RAW_SPINLOCK(text_poke_lock);

/* Map the page holding @addr writable at fixmap slot @slot. */
static void __kprobes *text_poke_map(void *addr, int slot);
static void __kprobes text_poke_unmap(int slot);

int __kprobes aarch64_insn_read(void *addr, u32 *insnp)
{
	__le32 raw;

	if (copy_from_kernel_nofault(&raw, addr, AARCH64_INSN_SIZE))
		return -EFAULT;
	*insnp = le32_to_cpu(raw);
	return 0;
}

int __kprobes aarch64_insn_write(void *addr, u32 insn)
{
	__le32 raw = cpu_to_le32(insn);
	unsigned long irqflags;
	void *alias;
	int err;

	raw_spin_lock_irqsave(&text_poke_lock, irqflags);
	alias = text_poke_map(addr, FIX_TEXT_POKE0);
	err = copy_to_kernel_nofault(alias, &raw, AARCH64_INSN_SIZE);
	text_poke_unmap(FIX_TEXT_POKE0);
	raw_spin_unlock_irqrestore(&text_poke_lock, irqflags);

	return err;
}

/*
 * Replace the instruction at @addr while other CPUs may be executing it.
 *
 * The architecture only promises that a concurrent fetch sees the old or
 * the new word when both are among B, BL, NOP, BRK, SVC, HVC, SMC and ISB
 * ("concurrent modification and execution of instructions"). Callers
 * must keep to that set; this function cannot check it for them.
 */
int __kprobes aarch64_insn_patch_text_nosync(void *addr, u32 insn)
{
	unsigned long start = (unsigned long)addr;
	int err;

	if (!IS_ALIGNED(start, AARCH64_INSN_SIZE))
		return -EINVAL;

	err = aarch64_insn_write(addr, insn);
	if (!err)
		caches_clean_inval_pou(start, start + AARCH64_INSN_SIZE);
	return err;
}

/* Shared by the CPUs that stop_machine() gathers for one batch of writes. */
struct text_batch {
	void	**addrs;
	u32	*insns;
	int	count;
	atomic_t arrived;
};

/*
 * Runs on every online CPU. The last one to arrive does the writes and
 * then bumps the counter once more, which releases the others; they
 * resynchronise their instruction stream with an ISB before going back
 * to whatever they were running.
 */
static int __kprobes text_batch_write(void *data)
{
	struct text_batch *batch = data;
	int i, err = 0;

	if (atomic_inc_return(&batch->arrived) != num_online_cpus()) {
		while (atomic_read(&batch->arrived) <= num_online_cpus())
			cpu_relax();
		isb();
		return 0;
	}

	for (i = 0; i < batch->count && !err; i++)
		err = aarch64_insn_patch_text_nosync(batch->addrs[i],
						     batch->insns[i]);
	atomic_inc(&batch->arrived);
	return err;
}

/* Write any instructions at all: nothing else runs while we do. */
int __kprobes aarch64_insn_patch_text(void *addrs[], u32 insns[], int cnt)
{
	struct text_batch batch = {
		.addrs	= addrs,
		.insns	= insns,
		.count	= cnt,
		.arrived = ATOMIC_INIT(0),
	};

	if (cnt <= 0)
		return -EINVAL;
	return stop_machine_cpuslocked(text_batch_write, &batch,
				       cpu_online_mask);
}
