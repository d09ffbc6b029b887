// The emulator benchmark's loop, run by `patchsite run` (entry `sum`, x0 = n):
// three instructions per iteration, 3n + 3 in all.
	.text
	.globl	sum
sum:
	mov	x1, #0
1:	add	x1, x1, x0
	subs	x0, x0, #1
	b.ne	1b
	mov	x0, x1
	ret
