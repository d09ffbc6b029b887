	.text
// A BR through x16 lands on PACIASP: accepted (BTYPE 01); through x10 it is not under
// Linux's SCTLR_EL1.BT0/BT1 = 1 (BTYPE 11), but is with --bt0.
caller16:
	adr	x16, target
	br	x16
caller10:
	adr	x10, target
	br	x10
target:
	paciasp
	autiasp
	ret
