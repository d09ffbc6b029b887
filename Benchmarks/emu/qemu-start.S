// A static Linux program for qemu-aarch64 around one of the emulator's benchmark mixes
// (MIX, a file name in quotes, is included): `bench` is called with x0 = N as `patchsite run
// MIX --set x0=N` starts it, and its x0 is written to standard output as 8 bytes, so the
// bench script can check that both ran the same computation. 11 instructions besides the
// mix's own.
#include MIX

	.text
	.globl	_start
_start:
	ldr	x0, =N
	bl	bench
	str	x0, [sp, #-16]!
	mov	x0, #1		// write(1, sp, 8)
	mov	x1, sp
	mov	x2, #8
	mov	x8, #64
	svc	#0
	mov	x0, #0		// exit(0)
	mov	x8, #93
	svc	#0
