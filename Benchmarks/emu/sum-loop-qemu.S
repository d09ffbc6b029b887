// The same loop as Benchmarks/emu/sum-loop.S as a static Linux program for qemu-aarch64:
// n comes in x0 from the first argument's length check-free constant below, the sum's low
// byte is the exit status so the work cannot be skipped.
	.text
	.globl	_start
_start:
	ldr	x0, =N
	mov	x1, #0
1:	add	x1, x1, x0
	subs	x0, x0, #1
	b.ne	1b
	mov	x0, x1
	and	x0, x0, #0xff
	mov	x8, #93		// exit
	svc	#0
