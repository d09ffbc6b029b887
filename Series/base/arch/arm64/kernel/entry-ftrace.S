/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Patchsite teaching tree: the arm64 ftrace trampolines of the
 * -fpatchable-function-entry=2 era (DYNAMIC_FTRACE_WITH_REGS).
 *
 * How a traced function f gets here. Once ftrace has initialised and
 * enabled it, f begins
 *
 *	f+0:	mov	x9, x30		// written once by ftrace_init_nop()
 *	f+4:	bl	<trampoline>	// NOP <-> BL, by ftrace_make_{call,nop}()
 *
 * so on entry x30 is f+8 (where f carries on once we return) and x9 is
 * the address f itself will return to. AAPCS64 lets a callee clobber
 * x9-x17, and f has not started yet, so all of them are ours to use.
 */

#include <asm/asm-offsets.h>	/* pt_regs layout: S_X0, S_FP, S_LR, ... */
#include <asm/assembler.h>	/* ldr_l */
#include <asm/ftrace.h>
#include <linux/linkage.h>	/* SYM_CODE_START and friends */

#ifdef CONFIG_DYNAMIC_FTRACE_WITH_REGS

/* Spill x\a and x\b into their pt_regs slots. */
	.macro	spill, a, b
	stp	x\a, x\b, [sp, #(S_X0 + 8 * \a)]
	.endm

/* Refill x\a and x\b from their pt_regs slots. */
	.macro	refill, a, b
	ldp	x\a, x\b, [sp, #(S_X0 + 8 * \a)]
	.endm

/* Push the frame record {x29, \lr} at sp + \at and make x29 point at it. */
	.macro	link_frame, at, lr
	stp	x29, \lr, [sp, #\at]
	add	x29, sp, #\at
	.endm

/*
 * Lay out, from sp upwards:
 *
 *	sp + 0			struct pt_regs for the tracers
 *	sp + PT_REGS_SIZE	a frame record standing in for f's caller
 *
 * The pt_regs gets the argument registers (every GPR for a REGS
 * caller), the frame pointer, the LR and SP that f was entered with,
 * and the PC where f resumes. Then two frame records make a backtrace
 * taken inside a tracer read tracer -> trampoline -> f -> f's caller.
 */
	.macro	enter_trampoline, gprs
	sub	sp, sp, #(PT_REGS_SIZE + 16)

	spill	0, 1
	spill	2, 3
	spill	4, 5
	spill	6, 7
	spill	8, 9

	.if	\gprs
	spill	10, 11
	spill	12, 13
	spill	14, 15
	spill	16, 17
	spill	18, 19
	spill	20, 21
	spill	22, 23
	spill	24, 25
	spill	26, 27
	spill	28, 29
	.else
	str	x29, [sp, #S_FP]
	.endif

	// f's return address (x9) and f's SP, side by side in pt_regs
	add	x10, sp, #(PT_REGS_SIZE + 16)
	stp	x9, x10, [sp, #S_LR]
	// resume point inside f
	str	x30, [sp, #S_PC]

	link_frame	PT_REGS_SIZE, x9	// f's caller
	link_frame	S_STACKFRAME, x30	// f itself, at the BL
	.endm

SYM_CODE_START(ftrace_regs_caller)
	bti	c
	enter_trampoline	1
	b	ftrace_common
SYM_CODE_END(ftrace_regs_caller)

SYM_CODE_START(ftrace_caller)
	bti	c
	enter_trampoline	0
	b	ftrace_common
SYM_CODE_END(ftrace_caller)

/* Call the tracer as tracer(ip, parent_ip, op, regs). */
SYM_CODE_START(ftrace_common)
	sub	x0, x30, #AARCH64_INSN_SIZE	// ip = the BL in f
	mov	x1, x9				// parent_ip = f's return address
	ldr_l	x2, function_trace_op
	mov	x3, sp

SYM_INNER_LABEL(ftrace_call, SYM_L_GLOBAL)
	bl	ftrace_stub			// becomes "bl <tracer>"

#ifdef CONFIG_FUNCTION_GRAPH_TRACER
SYM_INNER_LABEL(ftrace_graph_call, SYM_L_GLOBAL)
	nop					// becomes "b ftrace_graph_caller"
#endif

ftrace_common_return:
	// the arguments go back as the tracers may have left them
	refill	0, 1
	refill	2, 3
	refill	4, 5
	refill	6, 7
	ldr	x8, [sp, #S_X8]

	// f's frame pointer, f's return address, then where to go on in f
	ldr	x29, [sp, #S_FP]
	ldr	x30, [sp, #S_LR]
	ldr	x9, [sp, #S_PC]

	add	sp, sp, #PT_REGS_SIZE + 16
	ret	x9
SYM_CODE_END(ftrace_common)

#ifdef CONFIG_FUNCTION_GRAPH_TRACER
/* prepare_ftrace_return(ip, &regs->lr, fp) may swap f's return address. */
SYM_CODE_START(ftrace_graph_caller)
	ldr	x0, [sp, #S_PC]
	sub	x0, x0, #AARCH64_INSN_SIZE	// ip: the BL in f
	add	x1, sp, #S_LR			// where f's return address is kept
	ldr	x2, [sp, #PT_REGS_SIZE]		// f's frame pointer
	bl	prepare_ftrace_return
	b	ftrace_common_return
SYM_CODE_END(ftrace_graph_caller)
#endif

#endif /* CONFIG_DYNAMIC_FTRACE_WITH_REGS */

/* The tracer that does nothing, for ftrace_call to point at by default. */
SYM_FUNC_START(ftrace_stub)
	ret
SYM_FUNC_END(ftrace_stub)
