b	400000
b	400004
b	3ffffc
b	83ffffc
bl	fffffffffc400000
bl	400800
b.eq	400010
b.ne	4ffffc
b.cs	300000
b.cc	3ffff0
b.hi	400020
b.ls	400020
b.ge	400020
b.lt	400020
b.gt	400020
b.le	400020
b.al	400020
b.nv	400020
b.mi	400020
b.pl	400020
b.vs	400020
b.vc	400020
cbz	x0, 4ffffc
cbz	w30, 300000
cbnz	xzr, 400008
cbnz	w9, 3fff00
tbz	w0, #0, 407ffc
tbz	x0, #63, 3f8000
tbnz	w17, #31, 400040
tbnz	x30, #32, 3ffff8
br	x16
br	x17
br	xzr
blr	x0
blr	x30
ret
ret	x0
ret	xzr
braaz	x16
brabz	x17
blraaz	x0
blrabz	x30
retaa
retab
braa	x16, sp
brab	x1, x2
blraa	x3, x4
blrab	x5, sp
eret
eretaa
eretab
drps
