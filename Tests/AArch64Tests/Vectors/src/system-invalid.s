svc	#0x10000
brk	#-1
hint	#0x80
msr	pan, #0x2
msr	daifset, #0x10
dsb	#0x10
clrex	#0x10
sys	#8, C0, C0, #0
sys	#0, C16, C0, #0
mrs	x0, nosuchreg_el1
tlbi	vmalle1, x0
dc	civac
mrs	w0, sctlr_el1
