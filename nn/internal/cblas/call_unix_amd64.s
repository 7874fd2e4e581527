//go:build (linux || darwin) && !purego

#include "textflag.h"
#include "go_asm.h"

// callC(f *frame) is called by runtime.cgocall (through asmcgocall) on the
// system stack with the C calling convention, f in DI. It loads f's
// arguments into the System V registers and onto the stack, calls f.fn and
// stores rax in f.ret.
//
// The frame is 48 bytes of outgoing stack arguments, 8 for saving f and 8
// of padding; with the return address and the frame pointer the assembler
// saves, SP is 16-byte aligned at the CALL, as the ABI requires.
GLOBL ·callCABI0(SB), NOPTR|RODATA, $8
DATA ·callCABI0(SB)/8, $callC(SB)
TEXT callC(SB), NOSPLIT, $64
	MOVQ DI, 48(SP)
	MOVQ DI, R11

	MOVQ frame_f+0(R11), X0
	MOVQ frame_f+8(R11), X1

	MOVQ frame_s+0(R11), R10
	MOVQ R10, 0(SP)
	MOVQ frame_s+8(R11), R10
	MOVQ R10, 8(SP)
	MOVQ frame_s+16(R11), R10
	MOVQ R10, 16(SP)
	MOVQ frame_s+24(R11), R10
	MOVQ R10, 24(SP)
	MOVQ frame_s+32(R11), R10
	MOVQ R10, 32(SP)
	MOVQ frame_s+40(R11), R10
	MOVQ R10, 40(SP)

	MOVQ frame_i+0(R11), DI
	MOVQ frame_i+8(R11), SI
	MOVQ frame_i+16(R11), DX
	MOVQ frame_i+24(R11), CX
	MOVQ frame_i+32(R11), R8
	MOVQ frame_i+40(R11), R9

	MOVQ frame_fn(R11), R10
	MOVL $2, AX // vector registers used, in case fn is variadic
	CALL R10

	MOVQ 48(SP), DI
	MOVQ AX, frame_ret(DI)
	RET
