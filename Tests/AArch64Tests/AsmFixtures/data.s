// Data and alignment directives, expressions and constants.
	.equ	PT_REGS_SIZE, 336
	.set	S_X0, 0
	.set	S_X2, S_X0 + 16
	AARCH64_INSN_SIZE = 4
	.equ	MASK, (1 << 12) - 1
	.text
	sub	sp, sp, #(PT_REGS_SIZE + 16)
	add	x10, sp, #PT_REGS_SIZE + 16
	stp	x2, x3, [sp, #S_X2]
	ldr	x2, [sp, S_X2 + 8]
	sub	x0, x30, #AARCH64_INSN_SIZE
	sub	x0, x30, AARCH64_INSN_SIZE * 2
	mov	x0, #-(4 * AARCH64_INSN_SIZE)
	mov	x1, #~0xff
	mov	w2, #(0x12 | 0x300) & ~0x2
	and	x3, x4, #MASK
	movz	x5, #0xbeef, lsl #16
	movk	x5, #(0xdead >> 0), lsl #(16 * 2)
	lsl	x6, x7, #(1 + 2)
	ldr	x8, [x9, #(8 * 3)]!
	add	x0, x0, #0x10 % 3
	mov	x1, #10 / 3 * 3
	mov	x2, #0b1011
	mov	x3, #017
	mov	x4, 'A'
	.byte	1, 2, 0xff, -1
	.align	2
	.short	0x1234, -2
	.hword	7
	.2byte	9
	.balign	8
	.word	0xdeadbeef, -1, 1 << 31
	.long	42
	.4byte	43
	.quad	0x0123456789abcdef, -1
	.xword	MASK
	.dword	PT_REGS_SIZE * 2
	.8byte	S_X2
	.inst	0xd503201f, 0xd503233f
	.ascii	"ab\n\t\\\"\101\x42"
	.asciz	"z"
	.string	"str"
	.byte	3
	.align	4
	nop
	.balign	16, 0xaa
	.byte	1
	.p2align 3, 0x55
	.byte	2
	.p2align 4,,4
	.byte	3
	.p2align 4,,12
	.space	5
	.skip	3, 0x7
	.zero	2
	.align	3
	ret
	.section .rodata, "a"
	.byte	9
	.align	3
	.quad	-2
	.pushsection .text.other, "ax"
	nop
	.balign	16
	ret
	.popsection
	.word	3
	.text
	b	.
	.previous
	.word	4
