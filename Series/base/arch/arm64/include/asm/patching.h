/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Patchsite teaching tree: the text-patching primitives ftrace builds on.
 */
#ifndef __ASM_PATCHING_H
#define __ASM_PATCHING_H

#include <linux/types.h>

/* Read or write one instruction word, little-endian, through a safe alias. */
int aarch64_insn_read(void *addr, u32 *insnp);
int aarch64_insn_write(void *addr, u32 insn);

/* Swap one word while other CPUs run; only for the CMODX-safe pairs. */
int aarch64_insn_patch_text_nosync(void *addr, u32 insn);

/* Swap several words with every other CPU parked in stop_machine(). */
int aarch64_insn_patch_text(void *addrs[], u32 insns[], int cnt);

#endif /* __ASM_PATCHING_H */
