// Mix (a), the loop of the operand-forms issue: an ADD, an EOR with a shifted register and the
// SUBS/B.NE that close the loop; 4n + 4 instructions for n = x0 (n > 0). `patchsite run`
// starts at `bench`; Benchmarks/emu/qemu-start.S calls the same code under qemu-aarch64.
// Returns x1 ^ x2.
	.text
	.globl	bench
bench:
	mov	x1, #1
	mov	x2, #3
1:	add	x1, x1, x2
	eor	x2, x2, x1, lsr #7
	subs	x0, x0, #1
	b.ne	1b
	eor	x0, x1, x2
	ret
