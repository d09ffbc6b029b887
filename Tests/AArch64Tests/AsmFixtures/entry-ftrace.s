# 1 "arch/arm64/kernel/entry-ftrace.S"
# 1 "<built-in>"
// Written for Patchsite in the style of arm64 entry-ftrace.S after cpp and macro expansion:
// SYM_CODE_START -> .globl/.balign/label, SYM_FUNC_START adds bti c, ldr_l -> adrp + ldr :lo12:.
 .equ PT_REGS_SIZE, 336
 .equ S_X0, 0
 .equ S_X2, 16
 .equ S_X4, 32
 .equ S_X6, 48
 .equ S_X8, 64
 .equ S_FP, 232
 .equ S_LR, 240
 .equ S_SP, 248
 .equ S_PC, 256
 .equ S_STACKFRAME, 304
 .equ AARCH64_INSN_SIZE, 4

 .text
 .globl ftrace_caller ; .balign 4 ; ftrace_caller:
 bti c
 sub sp, sp, #(PT_REGS_SIZE + 16)
 stp x0, x1, [sp, #S_X0]
 stp x2, x3, [sp, #S_X2]
 stp x4, x5, [sp, #S_X4]
 stp x6, x7, [sp, #S_X6]
 stp x8, x9, [sp, #S_X8]
 str x29, [sp, #S_FP]
 add x10, sp, #(PT_REGS_SIZE + 16)
 stp x9, x10, [sp, #S_LR]
 str x30, [sp, #S_PC]
 stp x29, x9, [sp, #PT_REGS_SIZE]
 add x29, sp, #PT_REGS_SIZE
 stp x29, x30, [sp, #S_STACKFRAME]
 add x29, sp, #S_STACKFRAME
 b ftrace_common
 .type ftrace_caller, @function; .size ftrace_caller, .-ftrace_caller

 .globl ftrace_common ; .balign 4 ; ftrace_common:
 sub x0, x30, #AARCH64_INSN_SIZE
 mov x1, x9
 adrp x2, function_trace_op
 ldr x2, [x2, #:lo12:function_trace_op]
 mov x3, sp

 .globl ftrace_call ; ftrace_call:
 bl ftrace_stub

 .globl ftrace_graph_call ; ftrace_graph_call:
 nop

ftrace_common_return:
 ldp x0, x1, [sp, #S_X0]
 ldp x2, x3, [sp, #S_X2]
 ldp x4, x5, [sp, #S_X4]
 ldp x6, x7, [sp, #S_X6]
 ldr x8, [sp, #S_X8]
 ldr x29, [sp, #S_FP]
 ldr x30, [sp, #S_LR]
 ldr x9, [sp, #S_PC]
 add sp, sp, #PT_REGS_SIZE + 16
 ret x9
 .type ftrace_common, @function; .size ftrace_common, .-ftrace_common

 .globl ftrace_graph_caller ; .balign 4 ; ftrace_graph_caller:
 ldr x0, [sp, #S_PC]
 sub x0, x0, #AARCH64_INSN_SIZE
 add x1, sp, #S_LR
 ldr x2, [sp, #PT_REGS_SIZE]
 bl prepare_ftrace_return
 b ftrace_common_return
 .type ftrace_graph_caller, @function; .size ftrace_graph_caller, .-ftrace_graph_caller

 .globl ftrace_stub ; .align 2 ; ftrace_stub:
 bti c
 ret
 .type ftrace_stub, @function; .size ftrace_stub, .-ftrace_stub

 .globl return_to_handler ; .balign 4 ; return_to_handler:
 // x0-x7 may hold the traced function's return value: keep them, pre-indexed
 stp x0, x1, [sp, #-64]!
 stp x2, x3, [sp, #16]
 stp x6, x7, [sp, #48]
 stp x4, x5, [sp, #32]
 mov x0, x29 // the frame the graph tracer keyed its entry on
 bl ftrace_return_to_handler
 mov x30, x0 // the real return address
 ldp x6, x7, [sp, #48]
 ldp x4, x5, [sp, #32]
 ldp x2, x3, [sp, #16]
 ldp x0, x1, [sp], #64 // post-indexed: pops the block
 ret
 .type return_to_handler, @function; .size return_to_handler, .-return_to_handler

 .pushsection .rodata, "a"
 .p2align 3
.Lftrace_ops: .quad ftrace_caller, ftrace_graph_caller
 .word ftrace_stub - .
 .popsection
 .cfi_startproc
 .cfi_def_cfa_offset 16
 .cfi_endproc
