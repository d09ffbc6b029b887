adr	x0, .+0x100000
adr	x0, .-0x100001
add	x0, x1, #0x1001
add	x0, x1, #0x1000, lsl #12
add	x0, xzr, #0x1
adds	sp, x0, #0x1
movz	x0, #0x10000
movz	x0, #0x1, lsl #8
movz	w0, #0x1, lsl #32
and	x0, x1, #0x0
and	w0, w1, #0xffffffff
orr	x0, x1, #0x1234
lsl	x0, x1, #64
lsr	w0, w1, #32
ubfx	x0, x1, #60, #5
bfi	w0, w1, #31, #2
extr	w0, w1, w2, #32
adrp	x0, #0x100000000
adrp	x0, #-0x100001000
adrp	x0, #0x800
