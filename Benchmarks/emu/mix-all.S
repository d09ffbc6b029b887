// Mix (c): every instruction class the emulator runs, in one loop of about 170 instructions:
// add/sub (immediate, shifted, extended, with carry), logical (immediate, shifted), shifts
// (register and immediate), multiply and divide, bitfield and extract, conditional select and
// compare, bit and byte reversal, loads and stores of every addressing mode and size, literal
// loads, prefetch, pairs (offset, pre- and post-index, LDPSW, non-temporal), exclusives,
// acquire/release, LSE atomics (LDADD…, SWP, CAS, CASP), CLREX, calls and returns (BL, BLR),
// BR, CBZ/CBNZ, TBZ/TBNZ, B.cond, B, hints (NOP, BTI, PACIASP/AUTIASP), a barrier (recorded as
// an event) and system registers (NZCV, TPIDR_EL0). n = x0 iterations (n > 0); `patchsite
// run` reports the exact count. Returns a checksum of everything but addresses.
	.text
	.globl	bench
bench:
	stp	x29, x30, [sp, #-96]!
	mov	x29, sp
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	sub	sp, sp, #256
	mov	x9, sp
	mov	x11, x9
	mov	x12, #16
0:	stp	xzr, xzr, [x11], #16
	subs	x12, x12, #1
	b.ne	0b
	add	x9, x9, #128
	movz	x1, #0x1234, lsl #16
	movk	x1, #0x5678
	movn	x2, #0
	mov	x3, #7
	mov	x19, #0
	adr	x20, leaf
	adrp	x21, bench
1:	// Add and subtract: immediate, with carry
	add	x1, x1, #0x31
	sub	w4, w1, #5
	adds	x5, x1, x3
	adc	x6, x5, x2
	sbcs	x6, x6, x3
	add	x19, x19, x6
	// Logical: immediate, shifted register
	and	x7, x1, #0xff00ff00ff00ff00
	orr	w8, w4, #0x0f0f0f0f
	eor	x7, x7, x8, ror #13
	bics	x8, x1, x7, lsl #2
	orn	w10, w4, w8, lsr #3
	eon	x10, x10, x1, asr #7
	add	x19, x19, x10
	eor	x19, x19, x7
	// Shifts: register and immediate
	lslv	x11, x1, x3
	lsrv	w12, w4, w3
	asrv	x13, x2, x3
	rorv	x14, x1, x3
	lsl	x15, x1, #5
	lsr	w16, w4, #3
	asr	x17, x1, #9
	eor	x19, x19, x11
	add	x19, x19, x12, lsl #1
	eor	x19, x19, x13
	add	x19, x19, x14
	eor	x19, x19, x15
	add	x19, x19, x16
	eor	x19, x19, x17
	// Extended register
	add	x11, x1, w4, sxtw #2
	sub	x11, x11, w8, uxtb
	adds	x12, x11, w4, uxth #1
	add	x13, x9, x3, uxtx #3
	sub	x13, x13, x9
	cmp	x12, w4, sxtw
	add	x19, x19, x11
	eor	x19, x19, x12
	add	x19, x19, x13
	// Multiply and divide
	mul	x11, x1, x3
	madd	x11, x11, x2, x1
	msub	x12, x11, x3, x1
	smulh	x13, x1, x11
	umulh	x14, x1, x11
	smull	x15, w1, w4
	umaddl	x16, w1, w4, x3
	udiv	x17, x1, x3
	sdiv	w22, w4, w3
	add	x19, x19, x11
	eor	x19, x19, x12
	add	x19, x19, x13
	eor	x19, x19, x14
	add	x19, x19, x15
	eor	x19, x19, x16
	add	x19, x19, x17
	eor	x19, x19, x22
	// Bitfield and extract
	ubfx	x11, x1, #8, #12
	sbfx	x12, x1, #5, #7
	bfi	x11, x12, #40, #8
	bfxil	w13, w4, #3, #9
	extr	x14, x1, x2, #17
	sxtb	x15, w1
	uxth	w16, w1
	add	x19, x19, x11
	eor	x19, x19, x13
	add	x19, x19, x14
	eor	x19, x19, x15
	add	x19, x19, x16
	// Conditional select and compare
	cmp	x1, x11
	csel	x12, x1, x11, hi
	csinc	x13, x12, xzr, lt
	csinv	w14, w4, w1, ge
	cneg	x15, x13, mi
	ccmp	x1, #3, #4, ne
	cset	w16, eq
	ccmn	x2, x3, #2, pl
	csetm	x17, cs
	add	x19, x19, x12
	eor	x19, x19, x13
	add	x19, x19, x14
	eor	x19, x19, x15
	add	x19, x19, x16
	eor	x19, x19, x17
	// Bit and byte reversal, leading bits
	clz	x11, x1
	cls	w12, w4
	rbit	x13, x1
	rev	x14, x1
	rev16	w15, w4
	rev32	x16, x1
	add	x19, x19, x11
	eor	x19, x19, x12
	add	x19, x19, x13
	eor	x19, x19, x14
	add	x19, x19, x15
	eor	x19, x19, x16
	// Loads and stores: unsigned and unscaled offsets, every size, sign-extending
	str	x1, [x9, #8]
	ldr	x11, [x9, #8]
	stur	w4, [x9, #-4]
	ldur	w12, [x9, #-4]
	strb	w1, [x9, #17]
	ldrb	w13, [x9, #17]
	ldrsb	x14, [x9, #17]
	strh	w1, [x9, #18]
	ldrh	w15, [x9, #18]
	ldrsh	w16, [x9, #18]
	ldrsw	x17, [x9, #-4]
	add	x19, x19, x11
	eor	x19, x19, x12
	add	x19, x19, x13
	eor	x19, x19, x14
	add	x19, x19, x15
	eor	x19, x19, x16
	add	x19, x19, x17
	// Pre- and post-index, register offset (shifted, extended), literal, prefetch
	str	x2, [x9, #16]!
	ldr	x22, [x9], #-16
	and	x10, x3, #7
	str	x5, [x9, x10, lsl #3]
	ldr	x23, [x9, w10, sxtw #3]
	ldr	w24, [x9, w10, uxtw #2]
	strb	w1, [x9, x10]
	ldrb	w25, [x9, x10]
	ldr	x26, lit
	ldrsw	x27, litw
	prfm	pldl1keep, [x9]
	eor	x19, x19, x22
	add	x19, x19, x23
	eor	x19, x19, x24
	add	x19, x19, x25
	eor	x19, x19, x26
	add	x19, x19, x27
	// Pairs: offset, pre- and post-index, LDPSW, non-temporal
	stp	x1, x2, [x9, #32]
	ldp	x11, x12, [x9, #32]
	stp	w4, w8, [x9, #-16]!
	ldp	w13, w14, [x9], #16
	ldpsw	x15, x16, [x9, #-16]
	stnp	x5, x6, [x9, #48]
	ldnp	x17, x22, [x9, #48]
	add	x19, x19, x11
	eor	x19, x19, x12
	add	x19, x19, x13
	eor	x19, x19, x14
	add	x19, x19, x15
	eor	x19, x19, x16
	add	x19, x19, x17
	eor	x19, x19, x22
	// Exclusives, acquire/release, atomics
	add	x10, x9, #64
	ldxr	x11, [x10]
	add	x11, x11, #1
	stxr	w12, x11, [x10]
	ldaxr	w13, [x10]
	stlxr	w14, w13, [x10]
	clrex
	ldar	x15, [x10]
	stlr	x15, [x10]
	ldadd	x3, x16, [x10]
	ldclr	x12, x17, [x10]
	ldeoral	w4, w22, [x10]
	ldset	x8, x23, [x10]
	ldsmax	x1, x24, [x10]
	swp	x1, x25, [x10]
	cas	x1, x2, [x10]
	mov	x26, x1
	mov	x27, x2
	casp	x26, x27, x6, x7, [x10]
	add	x19, x19, x11
	eor	x19, x19, x12
	add	x19, x19, x13
	eor	x19, x19, x14
	add	x19, x19, x15
	eor	x19, x19, x16
	add	x19, x19, x17
	eor	x19, x19, x22
	add	x19, x19, x23
	eor	x19, x19, x24
	add	x19, x19, x25
	eor	x19, x19, x26
	add	x19, x19, x27
	// Branches: call and return, indirect, compare and test, conditional, direct
	bl	leaf
	blr	x20
	adr	x16, 2f
	br	x16
	nop
2:	cbz	x7, 3f
	add	x19, x19, #1
3:	cbnz	x8, 4f
	add	x19, x19, #2
4:	tbz	x1, #4, 5f
	add	x19, x19, #3
5:	tbnz	x1, #9, 6f
	add	x19, x19, #4
6:	cmp	x19, x1
	b.hs	7f
	add	x19, x19, #5
7:	b	8f
	nop
8:	// Hints, a barrier, system registers
	nop
	dmb	ish
	mrs	x11, nzcv
	msr	tpidr_el0, x19
	mrs	x12, tpidr_el0
	add	x19, x19, x11
	eor	x19, x19, x12, lsr #1
	subs	x0, x0, #1
	b.ne	1b
	mov	x0, x19
	add	sp, sp, #256
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #96
	ret

leaf:
	bti	c
	paciasp
	stp	x29, x30, [sp, #-16]!
	mov	x29, sp
	eor	x19, x19, x1, ror #3
	ldp	x29, x30, [sp], #16
	autiasp
	ret

	.p2align 3
lit:	.quad	0x0123456789abcdef
litw:	.word	0x80000001
