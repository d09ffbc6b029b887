ldr	x0, [x1, #32768]
ldr	x0, [x1, #257]
ldr	x0, [x1, #-257]
ldr	x0, [x1, #256]!
ldr	x0, [x1], #-257
ldp	x0, x1, [x2, #512]
ldp	x0, x1, [x2, #-520]
ldp	x0, x1, [x2, #4]
stp	w0, w1, [x2, #256]
ldr	x0, [x1, x2, lsl #2]
ldr	x0, .+0x100000
ldr	x0, [xzr]
ldrsw	w0, [x1]
prfm	#0x20, [x0]
ldrb	w0, [x1, w2, uxtx]
