add	x0, x1, x2, lsl #64
add	w0, w1, w2, lsl #32
add	x0, x1, x2, ror #1
add	x0, x1, w2, uxtb #5
and	sp, x1, x2
ccmp	x0, #0x20, #0x0, eq
ccmp	x0, x1, #0x10, eq
cset	x0, al
mul	x0, x1, w2
smull	x0, x1, x2
rev32	w0, w1
add	x0, x1, w2
