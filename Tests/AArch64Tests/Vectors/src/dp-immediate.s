adr	x0, 400000
adr	x1, 4fffff
adr	xzr, 300000
adrp	x16, 400000
adrp	x17, 1003ff000
adrp	x0, ffffffff00400000
add	x16, x16, #0x18
add	x0, x1, #0xfff
add	x0, x1, #0x1, lsl #12
add	w0, w1, #0xfff, lsl #12
adds	x0, x1, #0x10
sub	sp, sp, #0x20
sub	x0, x1, #0x0
subs	w0, w1, #0x1
mov	x29, sp
mov	sp, x29
mov	wsp, w0
cmp	x0, #0x10
cmp	sp, #0x10
cmn	sp, #0x1
cmn	w0, #0xfff, lsl #12
mov	x0, #0x10
mov	x0, #0xffffffffffffffef
mov	w0, #0xffffffef
movk	x0, #0x1234, lsl #16
movk	x9, #0xffff, lsl #48
movz	x0, #0x0, lsl #16
movn	w0, #0xffff
movn	x0, #0x0, lsl #48
mov	x0, #0xffff000000000000
and	x0, x1, #0xff
and	sp, x1, #0xfffffffffffffffe
orr	x0, xzr, #0xff
mov	x0, #0x5555555555555555
mov	sp, #0xfffc
orr	w0, wzr, #0xfffffff0
mov	w0, #0x33333333
eor	x0, x1, #0x8000000000000000
ands	w0, w1, #0x7fffffff
tst	x0, #0x1
tst	w0, #0xfffffffe
lsl	x0, x1, #3
lsl	w0, w1, #31
lsr	x0, x1, #63
asr	w0, w1, #1
ubfx	x0, x1, #4, #8
ubfx	x0, x1, #0, #8
sbfx	w0, w1, #1, #30
ubfiz	x0, x1, #4, #8
sbfiz	x0, x1, #63, #1
bfi	x0, x1, #4, #8
bfxil	w0, w1, #0, #1
bfc	x0, #4, #8
sxtb	x0, w1
sxth	w0, w1
sxtw	x0, w1
uxtb	w0, w1
uxth	w0, w1
sbfm	x0, x1, #0, #0
ubfm	w0, w1, #31, #30
extr	x0, x1, x2, #5
extr	w0, w1, w2, #31
ror	x0, x1, #5
ror	w0, w1, #0
