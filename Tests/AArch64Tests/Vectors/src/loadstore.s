ldr	x0, [x1]
ldr	x0, [x1, #8]
ldr	x0, [x1, #32760]
ldr	w0, [sp, #16380]
ldr	x0, [x1, #8]!
ldr	x0, [x1], #-8
ldr	x0, [x1, #-256]!
ldr	x0, [x1], #255
str	x30, [sp, #-16]!
str	w0, [x1]
strb	w0, [x1, #4095]
strh	w0, [x1, #8190]
ldrb	w0, [x1]
ldrh	w0, [x1, #2]
ldrsb	x0, [x1]
ldrsb	w0, [x1, #1]
ldrsh	x0, [x1, #2]
ldrsh	w0, [x1]
ldrsw	x0, [x1, #4]
ldrsw	x0, [x1], #4
ldur	x0, [x1, #-8]
ldur	x0, [x1, #1]
stur	w0, [x1, #255]
ldurb	w0, [x1, #-256]
ldursw	x0, [x1, #-4]
sturh	w0, [x1]
ldtr	x0, [x1, #8]
sttrb	w0, [x1]
ldr	x0, [x1, x2]
ldr	x0, [x1, x2, lsl #3]
ldrb	w0, [x1, x2, lsl #0]
ldrb	w0, [x1, x2]
ldr	x0, [x1, w2, sxtw]
ldr	x0, [x1, w2, uxtw #3]
str	w0, [x1, x2, sxtx #2]
ldrh	w0, [sp, w1, uxtw #1]
ldr	x0, 400010
ldr	w0, 3ffff0
ldrsw	x0, 4ffffc
prfm	pldl1keep, 400008
prfm	pldl1keep, [x0]
prfm	pstl3strm, [x1, #8]
prfm	#0x06, [x0]
prfm	#0x1f, [x0, x1]
prfm	plil2keep, [x0, w1, sxtw #3]
prfum	pstl3strm, [x1, #-3]
stp	x29, x30, [sp, #-16]!
stp	x29, x30, [sp, #-512]!
ldp	x29, x30, [sp], #16
ldp	x29, x30, [sp], #504
stp	x29, x9, [sp, #16]
stp	w0, w1, [x2, #252]
ldp	w0, w1, [x2, #-256]
ldpsw	x0, x1, [x2, #8]
ldpsw	x0, x1, [x2], #-8
stnp	x0, x1, [x2]
ldnp	w0, w1, [sp, #4]
ldxr	x0, [x1]
ldxr	w0, [sp]
ldxrb	w0, [x1]
ldxrh	w0, [x1]
ldaxr	x0, [x1]
stxr	w0, x1, [x2]
stlxr	w3, w1, [x2]
stxrb	w0, w1, [x2]
stlxrh	w0, w1, [x2]
ldxp	x0, x1, [x2]
ldaxp	w0, w1, [x2]
stxp	w0, x1, x2, [x3]
stlxp	w0, w1, w2, [x3]
ldar	x0, [x1]
ldar	w0, [sp]
ldarb	w0, [x1]
ldarh	w0, [x1]
stlr	x0, [x1]
stlrb	w0, [x1]
stlrh	w0, [x1]
ldlar	x0, [x1]
stllr	w0, [x1]
