b	.+0x8000000
b	.-0x8000004
b	.+0x2
bl	.+0x8000000
b.eq	.+0x100000
b.eq	.-0x100004
cbz	x0, .+0x100000
cbnz	w0, .+0x6
tbz	w0, #0, .+0x8000
tbz	x0, #0, .-0x8004
tbz	w0, #32, .+8
tbnz	x0, #64, .+8
br	sp
blr	w0
braa	x0, xzr
