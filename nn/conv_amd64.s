//go:build amd64 && !purego

#include "textflag.h"

// func convFwd32AVX512(x, w, out, b *float32, offs *int, noff, cin, ldw, ldo, nblk int)
//
// Direct convolution, 8 output pixels × 32 output channels per block:
// for each block b < nblk and pixel p < 8 of it,
//
//	out[(8b+p)·ldo + j] = b[j] + Σ_k Σ_ci x[(8b+p)·cin + offs[k] + ci] · w[(k·cin + ci)·ldw + j],  j < 32,
//
// k < noff, ci < cin (x: pixels of cin channels; offs: the element offsets
// of the kernel's taps; w: rows of ldw numbers, the block's 32 columns
// first). Sixteen accumulators, two weight registers and one broadcast
// per pixel and input channel.
TEXT ·convFwd32AVX512(SB), NOSPLIT, $0-80
	MOVQ x+0(FP), SI
	MOVQ out+16(FP), DI
	MOVQ offs+32(FP), R8
	MOVQ cin+48(FP), R9
	SHLQ $2, R9                     // L = cin·4: bytes per pixel of x
	MOVQ ldw+56(FP), R10
	SHLQ $2, R10                    // bytes per row of w
	MOVQ nblk+72(FP), R11

fblock:
	TESTQ   R11, R11
	JLE     fdone
	MOVQ    b+24(FP), DX
	VMOVUPS (DX), Z0
	VMOVUPS 64(DX), Z1
	VMOVAPS Z0, Z2
	VMOVAPS Z1, Z3
	VMOVAPS Z0, Z4
	VMOVAPS Z1, Z5
	VMOVAPS Z0, Z6
	VMOVAPS Z1, Z7
	VMOVAPS Z0, Z8
	VMOVAPS Z1, Z9
	VMOVAPS Z0, Z10
	VMOVAPS Z1, Z11
	VMOVAPS Z0, Z12
	VMOVAPS Z1, Z13
	VMOVAPS Z0, Z14
	VMOVAPS Z1, Z15
	MOVQ    w+8(FP), DX             // weight row pointer, advancing over every (k, ci)
	XORQ    AX, AX                  // k

ftap:
	CMPQ AX, noff+40(FP)
	JGE  fstore
	MOVQ (R8)(AX*8), BX
	SHLQ $2, BX
	ADDQ SI, BX                     // pixel 0 of the tap
	LEAQ (BX)(R9*2), R12
	ADDQ R9, R12                    // pixel 3
	LEAQ (R12)(R9*2), R13
	ADDQ R9, R13                    // pixel 6
	MOVQ cin+48(FP), CX

fci:
	VMOVUPS      (DX), Z28
	VMOVUPS      64(DX), Z29
	VBROADCASTSS (BX), Z16
	VFMADD231PS  Z28, Z16, Z0
	VFMADD231PS  Z29, Z16, Z1
	VBROADCASTSS (BX)(R9*1), Z17
	VFMADD231PS  Z28, Z17, Z2
	VFMADD231PS  Z29, Z17, Z3
	VBROADCASTSS (BX)(R9*2), Z18
	VFMADD231PS  Z28, Z18, Z4
	VFMADD231PS  Z29, Z18, Z5
	VBROADCASTSS (R12), Z19
	VFMADD231PS  Z28, Z19, Z6
	VFMADD231PS  Z29, Z19, Z7
	VBROADCASTSS (BX)(R9*4), Z20
	VFMADD231PS  Z28, Z20, Z8
	VFMADD231PS  Z29, Z20, Z9
	VBROADCASTSS (R12)(R9*2), Z21
	VFMADD231PS  Z28, Z21, Z10
	VFMADD231PS  Z29, Z21, Z11
	VBROADCASTSS (R13), Z22
	VFMADD231PS  Z28, Z22, Z12
	VFMADD231PS  Z29, Z22, Z13
	VBROADCASTSS (R13)(R9*1), Z23
	VFMADD231PS  Z28, Z23, Z14
	VFMADD231PS  Z29, Z23, Z15
	ADDQ         $4, BX
	ADDQ         $4, R12
	ADDQ         $4, R13
	ADDQ         R10, DX
	DECQ         CX
	JNZ          fci
	INCQ         AX
	JMP          ftap

fstore:
	MOVQ    ldo+64(FP), CX
	SHLQ    $2, CX                  // bytes per output pixel
	LEAQ    (DI)(CX*2), R12
	ADDQ    CX, R12                 // pixel 3
	LEAQ    (R12)(CX*2), R13
	ADDQ    CX, R13                 // pixel 6
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, (DI)(CX*1)
	VMOVUPS Z3, 64(DI)(CX*1)
	VMOVUPS Z4, (DI)(CX*2)
	VMOVUPS Z5, 64(DI)(CX*2)
	VMOVUPS Z6, (R12)
	VMOVUPS Z7, 64(R12)
	VMOVUPS Z8, (DI)(CX*4)
	VMOVUPS Z9, 64(DI)(CX*4)
	VMOVUPS Z10, (R12)(CX*2)
	VMOVUPS Z11, 64(R12)(CX*2)
	VMOVUPS Z12, (R13)
	VMOVUPS Z13, 64(R13)
	VMOVUPS Z14, (R13)(CX*1)
	VMOVUPS Z15, 64(R13)(CX*1)
	LEAQ    (DI)(CX*8), DI          // next 8 output pixels
	LEAQ    (SI)(R9*8), SI          // next 8 input pixels
	DECQ    R11
	JMP     fblock

fdone:
	VZEROUPPER
	RET

// func convWGrad32AVX512(x, d, gw *float32, n, ldx, ldd, ldg int)
//
// Weight-gradient block of 8 input channels × 32 output channels:
//
//	gw[c·ldg + j] += Σ_{q<n} x[q·ldx + c] · d[q·ldd + j],  c < 8, j < 32.
TEXT ·convWGrad32AVX512(SB), NOSPLIT, $0-56
	MOVQ x+0(FP), SI
	MOVQ d+8(FP), DX
	MOVQ n+24(FP), CX
	MOVQ ldx+32(FP), R9
	SHLQ $2, R9
	MOVQ ldd+40(FP), R10
	SHLQ $2, R10
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	TESTQ CX, CX
	JLE   wstore

wq:
	VMOVUPS      (DX), Z28
	VMOVUPS      64(DX), Z29
	VBROADCASTSS (SI), Z16
	VFMADD231PS  Z28, Z16, Z0
	VFMADD231PS  Z29, Z16, Z1
	VBROADCASTSS 4(SI), Z17
	VFMADD231PS  Z28, Z17, Z2
	VFMADD231PS  Z29, Z17, Z3
	VBROADCASTSS 8(SI), Z18
	VFMADD231PS  Z28, Z18, Z4
	VFMADD231PS  Z29, Z18, Z5
	VBROADCASTSS 12(SI), Z19
	VFMADD231PS  Z28, Z19, Z6
	VFMADD231PS  Z29, Z19, Z7
	VBROADCASTSS 16(SI), Z20
	VFMADD231PS  Z28, Z20, Z8
	VFMADD231PS  Z29, Z20, Z9
	VBROADCASTSS 20(SI), Z21
	VFMADD231PS  Z28, Z21, Z10
	VFMADD231PS  Z29, Z21, Z11
	VBROADCASTSS 24(SI), Z22
	VFMADD231PS  Z28, Z22, Z12
	VFMADD231PS  Z29, Z22, Z13
	VBROADCASTSS 28(SI), Z23
	VFMADD231PS  Z28, Z23, Z14
	VFMADD231PS  Z29, Z23, Z15
	ADDQ         R9, SI
	ADDQ         R10, DX
	DECQ         CX
	JNZ          wq

wstore:
	MOVQ    gw+16(FP), DI
	MOVQ    ldg+48(FP), CX
	SHLQ    $2, CX
	VADDPS  (DI), Z0, Z0
	VMOVUPS Z0, (DI)
	VADDPS  64(DI), Z1, Z1
	VMOVUPS Z1, 64(DI)
	ADDQ    CX, DI
	VADDPS  (DI), Z2, Z2
	VMOVUPS Z2, (DI)
	VADDPS  64(DI), Z3, Z3
	VMOVUPS Z3, 64(DI)
	ADDQ    CX, DI
	VADDPS  (DI), Z4, Z4
	VMOVUPS Z4, (DI)
	VADDPS  64(DI), Z5, Z5
	VMOVUPS Z5, 64(DI)
	ADDQ    CX, DI
	VADDPS  (DI), Z6, Z6
	VMOVUPS Z6, (DI)
	VADDPS  64(DI), Z7, Z7
	VMOVUPS Z7, 64(DI)
	ADDQ    CX, DI
	VADDPS  (DI), Z8, Z8
	VMOVUPS Z8, (DI)
	VADDPS  64(DI), Z9, Z9
	VMOVUPS Z9, 64(DI)
	ADDQ    CX, DI
	VADDPS  (DI), Z10, Z10
	VMOVUPS Z10, (DI)
	VADDPS  64(DI), Z11, Z11
	VMOVUPS Z11, 64(DI)
	ADDQ    CX, DI
	VADDPS  (DI), Z12, Z12
	VMOVUPS Z12, (DI)
	VADDPS  64(DI), Z13, Z13
	VMOVUPS Z13, 64(DI)
	ADDQ    CX, DI
	VADDPS  (DI), Z14, Z14
	VMOVUPS Z14, (DI)
	VADDPS  64(DI), Z15, Z15
	VMOVUPS Z15, 64(DI)
	VZEROUPPER
	RET

// func addTo32AVX2(dst, src *float32, n int)
//
// dst[i] += src[i] for i < n, n a multiple of 8.
TEXT ·addTo32AVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX

addloop:
	CMPQ    AX, CX
	JGE     adddone
	VMOVUPS (DI)(AX*4), Y0
	VADDPS  (SI)(AX*4), Y0, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ    $8, AX
	JMP     addloop

adddone:
	VZEROUPPER
	RET

// func convWGrad3x32AVX512(x, d, gw *float32, n, ldx, ldd, ldg, ldt int)
//
// Weight-gradient block of 4 input channels × 32 output channels for the
// three taps of one kernel row (kx = 0, 1, 2: the pixels q, q+1, q+2):
//
//	gw[kx·ldt + c·ldg + j] += Σ_{q<n} x[(q+kx)·ldx + c] · d[q·ldd + j],  c < 4, j < 32.
//
// Per position: two loads of δ, twelve broadcasts, 24 FMAs; δ is read
// once for three taps.
TEXT ·convWGrad3x32AVX512(SB), NOSPLIT, $0-64
	MOVQ x+0(FP), SI
	MOVQ d+8(FP), DX
	MOVQ n+24(FP), CX
	MOVQ ldx+32(FP), R9
	SHLQ $2, R9
	MOVQ ldd+40(FP), R10
	SHLQ $2, R10
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	VPXORD Z18, Z18, Z18
	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23
	TESTQ CX, CX
	JLE   w3store

w3q:
	VMOVUPS      (DX), Z28
	VMOVUPS      64(DX), Z29
	// tap 0: pixel q
	VBROADCASTSS (SI), Z30
	VFMADD231PS  Z28, Z30, Z0
	VFMADD231PS  Z29, Z30, Z1
	VBROADCASTSS 4(SI), Z31
	VFMADD231PS  Z28, Z31, Z2
	VFMADD231PS  Z29, Z31, Z3
	VBROADCASTSS 8(SI), Z30
	VFMADD231PS  Z28, Z30, Z4
	VFMADD231PS  Z29, Z30, Z5
	VBROADCASTSS 12(SI), Z31
	VFMADD231PS  Z28, Z31, Z6
	VFMADD231PS  Z29, Z31, Z7
	// tap 1: pixel q+1
	VBROADCASTSS (SI)(R9*1), Z30
	VFMADD231PS  Z28, Z30, Z8
	VFMADD231PS  Z29, Z30, Z9
	VBROADCASTSS 4(SI)(R9*1), Z31
	VFMADD231PS  Z28, Z31, Z10
	VFMADD231PS  Z29, Z31, Z11
	VBROADCASTSS 8(SI)(R9*1), Z30
	VFMADD231PS  Z28, Z30, Z12
	VFMADD231PS  Z29, Z30, Z13
	VBROADCASTSS 12(SI)(R9*1), Z31
	VFMADD231PS  Z28, Z31, Z14
	VFMADD231PS  Z29, Z31, Z15
	// tap 2: pixel q+2
	VBROADCASTSS (SI)(R9*2), Z30
	VFMADD231PS  Z28, Z30, Z16
	VFMADD231PS  Z29, Z30, Z17
	VBROADCASTSS 4(SI)(R9*2), Z31
	VFMADD231PS  Z28, Z31, Z18
	VFMADD231PS  Z29, Z31, Z19
	VBROADCASTSS 8(SI)(R9*2), Z30
	VFMADD231PS  Z28, Z30, Z20
	VFMADD231PS  Z29, Z30, Z21
	VBROADCASTSS 12(SI)(R9*2), Z31
	VFMADD231PS  Z28, Z31, Z22
	VFMADD231PS  Z29, Z31, Z23
	ADDQ         R9, SI
	ADDQ         R10, DX
	DECQ         CX
	JNZ          w3q

w3store:
	MOVQ gw+16(FP), DI
	MOVQ ldg+48(FP), CX
	SHLQ $2, CX
	MOVQ ldt+56(FP), R8
	SHLQ $2, R8
	// tap 0
	MOVQ    DI, BX
	VADDPS  (BX), Z0, Z0
	VMOVUPS Z0, (BX)
	VADDPS  64(BX), Z1, Z1
	VMOVUPS Z1, 64(BX)
	ADDQ    CX, BX
	VADDPS  (BX), Z2, Z2
	VMOVUPS Z2, (BX)
	VADDPS  64(BX), Z3, Z3
	VMOVUPS Z3, 64(BX)
	ADDQ    CX, BX
	VADDPS  (BX), Z4, Z4
	VMOVUPS Z4, (BX)
	VADDPS  64(BX), Z5, Z5
	VMOVUPS Z5, 64(BX)
	ADDQ    CX, BX
	VADDPS  (BX), Z6, Z6
	VMOVUPS Z6, (BX)
	VADDPS  64(BX), Z7, Z7
	VMOVUPS Z7, 64(BX)
	// tap 1
	ADDQ    R8, DI
	MOVQ    DI, BX
	VADDPS  (BX), Z8, Z8
	VMOVUPS Z8, (BX)
	VADDPS  64(BX), Z9, Z9
	VMOVUPS Z9, 64(BX)
	ADDQ    CX, BX
	VADDPS  (BX), Z10, Z10
	VMOVUPS Z10, (BX)
	VADDPS  64(BX), Z11, Z11
	VMOVUPS Z11, 64(BX)
	ADDQ    CX, BX
	VADDPS  (BX), Z12, Z12
	VMOVUPS Z12, (BX)
	VADDPS  64(BX), Z13, Z13
	VMOVUPS Z13, 64(BX)
	ADDQ    CX, BX
	VADDPS  (BX), Z14, Z14
	VMOVUPS Z14, (BX)
	VADDPS  64(BX), Z15, Z15
	VMOVUPS Z15, 64(BX)
	// tap 2
	ADDQ    R8, DI
	MOVQ    DI, BX
	VADDPS  (BX), Z16, Z16
	VMOVUPS Z16, (BX)
	VADDPS  64(BX), Z17, Z17
	VMOVUPS Z17, 64(BX)
	ADDQ    CX, BX
	VADDPS  (BX), Z18, Z18
	VMOVUPS Z18, (BX)
	VADDPS  64(BX), Z19, Z19
	VMOVUPS Z19, 64(BX)
	ADDQ    CX, BX
	VADDPS  (BX), Z20, Z20
	VMOVUPS Z20, (BX)
	VADDPS  64(BX), Z21, Z21
	VMOVUPS Z21, 64(BX)
	ADDQ    CX, BX
	VADDPS  (BX), Z22, Z22
	VMOVUPS Z22, (BX)
	VADDPS  64(BX), Z23, Z23
	VMOVUPS Z23, 64(BX)
	VZEROUPPER
	RET
