	.text
caller:
	adr	x10, target
	br	x10		// BTYPE 11 from a guarded page
target:
	bti	c		// accepts BLR and BR x16/x17 only
	ret
