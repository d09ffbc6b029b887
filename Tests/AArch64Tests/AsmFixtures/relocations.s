// Every relocation type, against external, global and local symbols and other sections.
	.text
	.globl	func
	.weak	wfunc
func:	bl	ext_call
	bl	ext_call + 8
	b	ext_jump
	b	func
	bl	func
	b.ne	ext_cond
	cbz	x0, ext_cond - 4
	cbnz	w0, wfunc
	tbz	w1, #3, ext_tst
	tbnz	x1, #40, ext_tst + 16
	ldr	x16, ext_lit
	ldr	w16, ext_lit
	ldrsw	x16, ext_lit + 4
	prfm	pldl1keep, ext_lit
	adr	x0, ext_adr
	adr	x0, ext_adr + 0x123
	adrp	x0, ext_page
	adrp	x0, ext_page + 0x1000
	adrp	x1, .Llocal
	adrp	x2, func
	add	x0, x0, :lo12:ext_page
	add	x0, x0, #:lo12:ext_page + 0x10
	add	w1, w1, :lo12:.Llocal
	ldrb	w0, [x0, :lo12:ext_b]
	strb	w0, [x0, #:lo12:ext_b]
	ldrh	w0, [x0, :lo12:ext_h]
	ldrsh	x0, [x0, :lo12:ext_h]
	ldr	w0, [x0, :lo12:ext_w]
	ldrsw	x0, [x0, :lo12:ext_w]
	str	w0, [x0, :lo12:ext_w + 4]
	ldr	x0, [x0, :lo12:ext_x]
	strb	wzr, [x0, :lo12:.Llocal]
	prfm	pldl1keep, [x0, :lo12:ext_x]
	bl	other
	b	.Ldata
.Llocal:
	ret
	.quad	ext_abs
	.quad	ext_abs + 16
	.quad	func
	.quad	.Llocal
	.8byte	other - 8
	.word	ext_abs32
	.word	ext_rel - .
	.word	ext_rel - . + 4
	.quad	ext_rel64 - .
	.hword	ext_abs16
	.short	ext_rel16 - .
	.word	.Llocal - .
	.word	.Llocal - func
	.word	other - .
	.quad	.Ldata + 2 - .

	.data
other:	.quad	func
	.quad	.Llocal + 4
.Ldata:	.word	ext_abs32 + 1
	.word	func - .
	.word	.Ldata - other
