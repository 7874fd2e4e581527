//go:build amd64 && !purego

#include "textflag.h"

// func sincos2PiAVX2(sin, cos, s *float64, n int, c *[19][4]uint64)
//
// sincos2Pi of trig.go on four lanes, operation for operation. Constants
// (32 bytes each): 0 four, 32 magic, 64 quarter, 96 2π, 128 … 288 s0 … s5,
// 320 … 480 c0 … c5, 512 half, 544 one, 576 the integer 1.
TEXT ·sincos2PiAVX2(SB), NOSPLIT, $0-40
	MOVQ sin+0(FP), DI
	MOVQ cos+8(FP), DX
	MOVQ s+16(FP), SI
	MOVQ n+24(FP), CX
	MOVQ c+32(FP), R10
	VMOVUPD 576(R10), Y15           // integer 1
	VPADDQ  Y15, Y15, Y14           // integer 2
	XORQ    AX, AX

loop:
	CMPQ AX, CX
	JGE  done
	VMOVUPD     (SI)(AX*8), Y0
	VMULPD      0(R10), Y0, Y2      // 4s
	VADDPD      32(R10), Y2, Y2     // t = 4s + magic
	VSUBPD      32(R10), Y2, Y3     // q = t − magic
	VMULPD      64(R10), Y3, Y3     // q/4
	VSUBPD      Y3, Y0, Y3          // s − q/4
	VMULPD      96(R10), Y3, Y4     // z
	VMULPD      Y4, Y4, Y5          // zz

	VMOVUPD     128(R10), Y6        // ps = s0
	VFMADD213PD 160(R10), Y5, Y6    // ps = ps·zz + s1
	VFMADD213PD 192(R10), Y5, Y6
	VFMADD213PD 224(R10), Y5, Y6
	VFMADD213PD 256(R10), Y5, Y6
	VFMADD213PD 288(R10), Y5, Y6    // … + s5
	VMOVUPD     320(R10), Y8        // pc = c0
	VFMADD213PD 352(R10), Y5, Y8
	VFMADD213PD 384(R10), Y5, Y8
	VFMADD213PD 416(R10), Y5, Y8
	VFMADD213PD 448(R10), Y5, Y8
	VFMADD213PD 480(R10), Y5, Y8    // … + c5

	VMULPD      Y5, Y4, Y7          // z·zz
	VFMADD213PD Y4, Y7, Y6          // sn = ps·(z·zz) + z
	VMULPD      512(R10), Y5, Y9    // zz/2
	VMOVUPD     544(R10), Y10
	VSUBPD      Y9, Y10, Y9         // 1 − zz/2
	VMULPD      Y5, Y5, Y10         // zz·zz
	VFMADD213PD Y9, Y10, Y8         // cs = pc·(zz·zz) + (1 − zz/2)

	VPAND       Y15, Y2, Y11        // n & 1
	VPCMPEQQ    Y15, Y11, Y11       // all ones where n is odd
	VXORPD      Y6, Y8, Y12
	VANDPD      Y11, Y12, Y12       // swap
	VXORPD      Y12, Y6, Y6
	VXORPD      Y12, Y8, Y8
	VPAND       Y14, Y2, Y13        // n & 2
	VPSLLQ      $62, Y13, Y13
	VXORPD      Y13, Y6, Y6         // sin's sign
	VPADDQ      Y15, Y2, Y13        // n + 1
	VPAND       Y14, Y13, Y13
	VPSLLQ      $62, Y13, Y13
	VXORPD      Y13, Y8, Y8         // cos's sign
	VMOVUPD     Y6, (DI)(AX*8)
	VMOVUPD     Y8, (DX)(AX*8)
	ADDQ        $4, AX
	JMP         loop

done:
	VZEROUPPER
	RET
