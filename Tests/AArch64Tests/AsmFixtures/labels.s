# 1 "labels.S"
# 1 "<built-in>"
// Labels of every kind, comments of every kind, statements separated by ';'.
	.text
	.globl	start
start:	mov	x29, sp		// a trailing comment
	mov	x0, #0 ; mov x1, 1 ; MOV X2, #2	/* block */ ; add x3, x3, #4
	cbz	x0, .Lout
1:	sub	x0, x0, #1
	cbnz	x0, 1b
	b.ne	1f
	tbz	w1, #3, 2f
	tbnz	x1, 63, 1b
1:	nop
2:	b	1b
	b	2b
123456:	b	123456f
123456:	cbz	x1, 123456b
99:	b.eq	99b
	/* a block comment
	   over lines; with b 1f inside */
3: 4:	b	3b
	b.eq	4b
	b.hs	.Lout
	bl	.Lout
	adr	x9, 1b
	adr	x9, .Lout + 8
	ldr	x16, .Lpool
	ldrsw	x17, .Lpool
	prfm	pldl1keep, .Lpool
.Lout:	ret
	ret	lr
	mov	fp, sp
	stp	fp, lr, [sp, #-16]!
	ldp	x29, x30, [sp], #16
	orr	xzr, x1, x2
	add	wsp, w1, w2
	cmp	wzr, w3
	ldr	x0, [x1, x2, lsl #3]
	ldr	w0, [x1, w2, sxtw #2]
	ldr	x0, [x1, w2, uxtw]
	add	x0, x1, x2, lsl #12
	add	x0, sp, w2, uxtw #2
	b	.
	b	.+8
	b	. - 4
	.p2align 3
.Lpool:	.quad	0x0123456789abcdef
	.word	1b - .
