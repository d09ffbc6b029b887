	.text
	.globl	sum
sum:				// x0 = n; returns 1 + 2 + ... + n
	mov	x1, #0
1:	add	x1, x1, x0
	subs	x0, x0, #1
	b.ne	1b
	mov	x0, x1
	ret
