isb
isb	#0x0
isb	#0x5
dsb	sy
dsb	ish
dsb	ishst
dsb	ishld
dsb	nsh
dsb	nshst
dsb	nshld
dsb	osh
dsb	oshst
dsb	oshld
dsb	ld
dsb	st
dsb	#0x08
dsb	#0x0c
ssbb
pssbb
dmb	ish
dmb	ishld
dmb	ishst
dmb	sy
dmb	#0x00
dmb	#0x04
sb
clrex
clrex	#0x0
msr	daifset, #0x2
msr	daifclr, #0xf
msr	spsel, #0x1
msr	pan, #0x0
msr	uao, #0x1
msr	ssbs, #0x1
msr	dit, #0x0
mrs	x0, sctlr_el1
msr	sctlr_el1, x0
mrs	x1, tpidr_el1
msr	tpidr_el1, x1
mrs	x2, sp_el0
msr	sp_el0, x2
mrs	x3, elr_el1
msr	elr_el1, x3
mrs	x4, spsr_el1
mrs	x5, esr_el1
mrs	x6, far_el1
msr	vbar_el1, x7
mrs	x8, daif
msr	daif, x8
mrs	x9, nzcv
mrs	x10, currentel
mrs	x11, tpidr_el0
mrs	x12, tpidrro_el0
mrs	x13, cntvct_el0
mrs	x14, cntfrq_el0
mrs	x15, midr_el1
mrs	x16, mpidr_el1
msr	ttbr0_el1, x17
msr	ttbr1_el1, x18
msr	tcr_el1, x19
msr	mair_el1, x20
msr	contextidr_el1, x21
mrs	x22, par_el1
msr	fpcr, x23
mrs	x24, fpsr
mrs	x25, ctr_el0
mrs	x26, dczid_el0
mrs	x27, s3_0_c15_c2_0
msr	s3_3_c15_c2_0, x28
mrs	xzr, s2_0_c0_c0_0
ic	ialluis
ic	iallu
ic	ivau, x0
dc	civac, x1
dc	cvac, x2
dc	cvau, x3
dc	cvap, x4
dc	zva, x5
dc	ivac, x6
dc	cvadp, x7
tlbi	vmalle1is
tlbi	vmalle1
tlbi	vae1is, x0
tlbi	vale1is, x1
tlbi	aside1is, x2
tlbi	vaae1is, x3
tlbi	vaale1is, x4
tlbi	vae1, x5
at	s1e1r, x6
sys	#7, C15, C15, #7, x1
sys	#0, C0, C0, #0
sysl	x1, #7, C15, C15, #7
svc	#0x0
svc	#0xffff
hvc	#0x1
smc	#0x0
brk	#0x100
brk	#0x800
brk	#0xffff
hlt	#0x1
dcps1
dcps2	#0x5
dcps3
