// Mix (b): shifted-register ALU operations (X and W, LSL/LSR/ASR, ADD/SUB/EOR/ORR/BIC),
// loads and stores in several addressing modes (register offset shifted and extended,
// unsigned and unscaled offsets, pre- and post-index, pairs pre- and post-indexed) and
// conditional branches (B.cond, TBZ, CBZ) that go either way with the data. About 30
// instructions an iteration, n = x0 iterations (n > 0); `patchsite run` reports the exact
// count. Works in a 512-byte buffer on the stack, zeroed first. Returns a checksum.
	.text
	.globl	bench
bench:
	sub	sp, sp, #512
	mov	x11, sp
	mov	x12, #32
0:	stp	xzr, xzr, [x11], #16
	subs	x12, x12, #1
	b.ne	0b
	add	x9, sp, #256
	mov	x1, #1
	mov	x2, #0x9e37
	mov	x3, #0
	mov	x4, #0
	mov	x10, #0
	mov	w14, #0
1:	and	x5, x1, #15
	add	x1, x1, x2, lsl #3
	eor	x2, x2, x1, lsr #7
	str	x1, [x9, x5, lsl #3]
	ldr	x6, [x9, w5, uxtw #3]
	sub	x3, x3, x6, asr #2
	stp	x1, x2, [x9, #-16]!
	ldp	x7, x8, [x9], #16
	ldr	w11, [x9, #4]
	stur	w11, [x9, #-20]
	ldur	x12, [x9, #-24]
	orr	x4, x4, x7, lsl #1
	bic	x4, x4, x8, lsr #3
	add	x4, x4, x12, asr #1
	add	w14, w14, w11, lsl #2
	cmp	x3, x4
	b.lt	2f
	add	x10, x10, x3, lsr #5
2:	tbz	x1, #3, 3f
	eor	x10, x10, x2, asr #11
3:	cbz	x11, 4f
	sub	x10, x10, x11, lsl #2
4:	str	x10, [x9, #8]!
	ldr	x13, [x9], #-8
	add	x10, x10, x13, lsr #60
	subs	x0, x0, #1
	b.ne	1b
	add	x0, x10, x3
	eor	x0, x0, x4
	add	x0, x0, x14
	add	sp, sp, #512
	ret
