mov	x9, x30
mov	w0, wzr
mov	x0, xzr
orr	x0, xzr, x1, lsl #3
and	x0, x1, x2
bic	x0, x1, x2, lsr #63
orr	w0, w1, w2, asr #31
orn	x0, x1, x2, ror #1
eor	x0, x1, x2, lsr #0
eon	w0, w1, w2
ands	x0, x1, x2
bics	w0, w1, w2, lsl #31
mvn	x0, x1
mvn	w0, w1, ror #4
tst	x0, x1, lsl #1
add	x0, x1, x2
add	x0, x1, x2, lsl #3
add	w0, w1, w2, asr #31
adds	x0, x1, x2, lsr #63
sub	x0, x1, x2
subs	w0, w1, w2
neg	x0, x1
neg	x0, x1, lsl #2
negs	w0, w1
cmp	x0, x1
cmp	w0, w1, lsl #4
cmn	x0, x1
add	x0, sp, x1
add	x0, sp, x1, lsl #2
add	sp, sp, x0
add	w0, wsp, w1
add	x0, x1, w2, uxtb #2
add	x0, x1, w2, sxtw
sub	sp, sp, x1, uxtx #4
adds	x0, sp, x1
subs	x0, x1, w2, uxth
cmp	sp, x0
cmp	x0, w1, sxtw
cmn	w0, w1, uxtb #1
add	x0, x1, x2, uxtx
adc	x0, x1, x2
adcs	w0, w1, w2
sbc	x0, x1, x2
sbcs	x0, x1, x2
ngc	x0, x1
ngcs	w0, w1
ccmp	x0, x1, #0x0, ne
ccmp	w0, #0x1f, #0xf, eq
ccmn	x0, #0x0, #0x4, al
ccmn	w1, w2, #0x8, nv
csel	x0, x1, x2, eq
csinc	x0, x1, x2, ne
csinc	x0, x1, x1, al
csinv	w0, w1, w2, lt
csneg	x0, x1, x2, ge
cset	x0, ne
cset	w0, eq
csetm	x0, cs
cinc	x0, x1, eq
cinv	w0, w1, hi
cneg	x0, x1, mi
cneg	x0, xzr, mi
madd	x0, x1, x2, x3
msub	w0, w1, w2, w3
mul	x0, x1, x2
mneg	w0, w1, w2
smaddl	x0, w1, w2, x3
smsubl	x0, w1, w2, x3
smull	x0, w1, w2
smnegl	x0, w1, w2
umaddl	x0, w1, w2, x3
umsubl	x0, w1, w2, x3
umull	x0, w1, w2
umnegl	x0, w1, w2
smulh	x0, x1, x2
umulh	x0, x1, x2
udiv	x0, x1, x2
sdiv	w0, w1, w2
lsl	x0, x1, x2
lsr	w0, w1, w2
asr	x0, x1, x2
ror	w0, w1, w2
clz	x0, x1
cls	w0, w1
rbit	x0, x1
rev	x0, x1
rev	w0, w1
rev16	x0, x1
rev16	w0, w1
rev32	x0, x1
