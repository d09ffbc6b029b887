nop
yield
wfe
wfi
sev
sevl
hint	#0x6
xpaclri
pacia1716
pacib1716
autia1716
autib1716
esb
psb	csync
tsb	csync
csdb
clearbhb
paciaz
paciasp
pacibz
pacibsp
autiaz
autiasp
autibz
autibsp
bti
bti	c
bti	j
bti	jc
hint	#0x21
hint	#0x23
hint	#0x27
hint	#0x13
hint	#0x28
hint	#0x7f
