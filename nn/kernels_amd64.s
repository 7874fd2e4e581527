//go:build amd64 && !purego

#include "textflag.h"

// func adam32AVX2(p, gr, m, v *float32, n int, b1, b2, c1, c2, step, eps float32)
TEXT ·adam32AVX2(SB), NOSPLIT, $0-64
	MOVQ p+0(FP), DI
	MOVQ gr+8(FP), SI
	MOVQ m+16(FP), R8
	MOVQ v+24(FP), R9
	MOVQ n+32(FP), CX
	VBROADCASTSS b1+40(FP), Y8
	VBROADCASTSS b2+44(FP), Y9
	VBROADCASTSS c1+48(FP), Y10
	VBROADCASTSS c2+52(FP), Y11
	VBROADCASTSS step+56(FP), Y12
	VBROADCASTSS eps+60(FP), Y13
	XORQ AX, AX

adamloop:
	CMPQ AX, CX
	JGE  adamdone
	VMOVUPS     (SI)(AX*4), Y0      // g
	VMULPS      (R8)(AX*4), Y8, Y1  // b1·m
	VFMADD231PS Y0, Y10, Y1         // m = b1·m + c1·g
	VMULPS      Y0, Y0, Y2          // g²
	VMULPS      (R9)(AX*4), Y9, Y3  // b2·v
	VFMADD231PS Y2, Y11, Y3         // v = b2·v + c2·g²
	VMOVUPS     Y1, (R8)(AX*4)
	VMOVUPS     Y3, (R9)(AX*4)
	VSQRTPS     Y3, Y4
	VADDPS      Y13, Y4, Y4         // √v + eps
	VMULPS      Y12, Y1, Y5         // step·m
	VDIVPS      Y4, Y5, Y5          // step·m/(√v + eps)
	VMOVUPS     (DI)(AX*4), Y6
	VSUBPS      Y5, Y6, Y6
	VMOVUPS     Y6, (DI)(AX*4)
	ADDQ        $8, AX
	JMP         adamloop

adamdone:
	VZEROUPPER
	RET

// func tanhBias32AVX2(z, b *float32, n int, c *[13][8]float32)
TEXT ·tanhBias32AVX2(SB), NOSPLIT, $0-32
	MOVQ z+0(FP), DI
	MOVQ b+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ c+24(FP), R10
	VMOVUPS 0(R10), Y8              // 9
	VMOVUPS 32(R10), Y9             // −9
	VMOVUPS 64(R10), Y10            // a13
	VMOVUPS 288(R10), Y11           // b6
	XORQ    AX, AX

tanhloop:
	CMPQ AX, CX
	JGE  tanhdone
	VMOVUPS     (DI)(AX*4), Y0
	VADDPS      (SI)(AX*4), Y0, Y0  // x = z + b
	VMINPS      Y0, Y8, Y0          // min(9, x), NaN stays NaN
	VMAXPS      Y0, Y9, Y0          // max(−9, x)
	VMULPS      Y0, Y0, Y1          // x²
	VMOVAPS     Y10, Y2             // p = a13
	VFMADD213PS 96(R10), Y1, Y2     // p = p·x² + a11
	VFMADD213PS 128(R10), Y1, Y2    // a9
	VFMADD213PS 160(R10), Y1, Y2    // a7
	VFMADD213PS 192(R10), Y1, Y2    // a5
	VFMADD213PS 224(R10), Y1, Y2    // a3
	VFMADD213PS 256(R10), Y1, Y2    // a1
	VMULPS      Y0, Y2, Y2          // p·x
	VMOVAPS     Y11, Y3             // q = b6
	VFMADD213PS 320(R10), Y1, Y3    // q = q·x² + b4
	VFMADD213PS 352(R10), Y1, Y3    // b2
	VFMADD213PS 384(R10), Y1, Y3    // b0
	VDIVPS      Y3, Y2, Y2          // p/q
	VMOVUPS     Y2, (DI)(AX*4)
	ADDQ        $8, AX
	JMP         tanhloop

tanhdone:
	VZEROUPPER
	RET

// func tanhBias64AVX2(z, b *float64, n int, c *[31][4]uint64)
//
// Per four lanes: x = z + b, a = min(|x|, 22);
// big = 1 − 2/(e^{2a} + 1) with e^{2a} = 2^k·e^r, k = round(2a·log2e),
// r = 2a − k·ln2 (ln2 in two parts), e^r by Taylor to degree 13, 2^k from
// the bits of k + 1.5·2^52; small = a + a·s·P(s)/Q(s), s = a² (Cephes,
// for a < 0.625); result = (a < 0.625 ? small : big) with the sign of x.
TEXT ·tanhBias64AVX2(SB), NOSPLIT, $0-32
	MOVQ z+0(FP), DI
	MOVQ b+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ c+24(FP), R10
	VMOVUPD 0(R10), Y14             // |x| mask
	VMOVUPD 704(R10), Y15           // 1
	XORQ    AX, AX

tanh64loop:
	CMPQ AX, CX
	JGE  tanh64done
	VMOVUPD      (DI)(AX*8), Y0
	VADDPD       (SI)(AX*8), Y0, Y0 // x = z + b
	VANDPD       Y14, Y0, Y1        // |x|
	VMOVUPD      32(R10), Y2
	VMINPD       Y1, Y2, Y1         // a = min(22, |x|), NaN stays NaN

	// e^{2a}
	VADDPD       Y1, Y1, Y2         // y = 2a
	VMOVUPD      128(R10), Y3       // shifter
	VFMADD231PD  96(R10), Y2, Y3    // t = y·log2e + shifter: k in the low bits
	VSUBPD       128(R10), Y3, Y4   // k as a float
	VFNMADD231PD 160(R10), Y4, Y2   // r = y − k·ln2Hi
	VFNMADD231PD 192(R10), Y4, Y2   //   − k·ln2Lo
	VMOVUPD      256(R10), Y5       // 1/13!
	VFMADD213PD  288(R10), Y2, Y5   // p = p·r + 1/12!
	VFMADD213PD  320(R10), Y2, Y5
	VFMADD213PD  352(R10), Y2, Y5
	VFMADD213PD  384(R10), Y2, Y5
	VFMADD213PD  416(R10), Y2, Y5
	VFMADD213PD  448(R10), Y2, Y5
	VFMADD213PD  480(R10), Y2, Y5
	VFMADD213PD  512(R10), Y2, Y5
	VFMADD213PD  544(R10), Y2, Y5
	VFMADD213PD  576(R10), Y2, Y5
	VFMADD213PD  608(R10), Y2, Y5
	VFMADD213PD  640(R10), Y2, Y5
	VFMADD213PD  672(R10), Y2, Y5   // p = p·r + 1: e^r
	VPSLLQ       $52, Y3, Y3        // k << 52
	VPADDQ       224(R10), Y3, Y3   // 2^k
	VMULPD       Y3, Y5, Y5         // e^{2a}
	VADDPD       Y15, Y5, Y5        // e^{2a} + 1
	VMOVUPD      736(R10), Y6       // 2
	VDIVPD       Y5, Y6, Y6         // 2/(e^{2a} + 1)
	VSUBPD       Y6, Y15, Y6        // big

	// Cephes' rational for small a
	VMULPD       Y1, Y1, Y7         // s = a²
	VMOVUPD      768(R10), Y8       // P0
	VFMADD213PD  800(R10), Y7, Y8   // P0·s + P1
	VFMADD213PD  832(R10), Y7, Y8   // (…)·s + P2
	VADDPD       864(R10), Y7, Y9   // s + Q0
	VFMADD213PD  896(R10), Y7, Y9   // (…)·s + Q1
	VFMADD213PD  928(R10), Y7, Y9   // (…)·s + Q2
	VDIVPD       Y9, Y8, Y8         // P/Q
	VMULPD       Y7, Y8, Y8         // s·P/Q
	VFMADD213PD  Y1, Y1, Y8         // small = a·(s·P/Q) + a

	VCMPPD       $1, 64(R10), Y1, Y10 // a < 0.625
	VBLENDVPD    Y10, Y8, Y6, Y6    // small where a < 0.625, else big
	VANDPD       960(R10), Y0, Y0   // sign of x
	VORPD        Y0, Y6, Y6
	VMOVUPD      Y6, (DI)(AX*8)
	ADDQ         $4, AX
	JMP          tanh64loop

tanh64done:
	VZEROUPPER
	RET

// func adam64AVX2(p, gr, m, v *float64, n int, b1, b2, c1, c2, step, eps float64)
TEXT ·adam64AVX2(SB), NOSPLIT, $0-88
	MOVQ p+0(FP), DI
	MOVQ gr+8(FP), SI
	MOVQ m+16(FP), R8
	MOVQ v+24(FP), R9
	MOVQ n+32(FP), CX
	VBROADCASTSD b1+40(FP), Y8
	VBROADCASTSD b2+48(FP), Y9
	VBROADCASTSD c1+56(FP), Y10
	VBROADCASTSD c2+64(FP), Y11
	VBROADCASTSD step+72(FP), Y12
	VBROADCASTSD eps+80(FP), Y13
	XORQ AX, AX

adam64loop:
	CMPQ AX, CX
	JGE  adam64done
	VMOVUPD     (SI)(AX*8), Y0      // g
	VMULPD      (R8)(AX*8), Y8, Y1  // b1·m
	VFMADD231PD Y0, Y10, Y1         // m = b1·m + c1·g
	VMULPD      Y0, Y0, Y2          // g²
	VMULPD      (R9)(AX*8), Y9, Y3  // b2·v
	VFMADD231PD Y2, Y11, Y3         // v = b2·v + c2·g²
	VMOVUPD     Y1, (R8)(AX*8)
	VMOVUPD     Y3, (R9)(AX*8)
	VSQRTPD     Y3, Y4
	VADDPD      Y13, Y4, Y4         // √v + eps
	VMULPD      Y12, Y1, Y5         // step·m
	VDIVPD      Y4, Y5, Y5          // step·m/(√v + eps)
	VMOVUPD     (DI)(AX*8), Y6
	VSUBPD      Y5, Y6, Y6
	VMOVUPD     Y6, (DI)(AX*8)
	ADDQ        $4, AX
	JMP         adam64loop

adam64done:
	VZEROUPPER
	RET

// func normActFwd32AVX2(x, y, sg, m, r, s, t *float32, c, rows int, k *[15][8]float32)
//
// For rows × c numbers (c a multiple of 8; per-channel vectors m, r, s, t
// of c): z = (x − m)·r·s + t, σ = 1/2 + tanh(z/2)/2 with tanh32's
// rational function, sg = σ, y = z·σ.
TEXT ·normActFwd32AVX2(SB), NOSPLIT, $0-80
	MOVQ x+0(FP), DI
	MOVQ y+8(FP), SI
	MOVQ sg+16(FP), DX
	MOVQ m+24(FP), R8
	MOVQ r+32(FP), R9
	MOVQ s+40(FP), R11
	MOVQ t+48(FP), R12
	MOVQ c+56(FP), CX
	MOVQ rows+64(FP), BX
	MOVQ k+72(FP), R10
	VMOVUPS 0(R10), Y8              // 9
	VMOVUPS 32(R10), Y9             // −9
	VMOVUPS 64(R10), Y10            // a13
	VMOVUPS 288(R10), Y11           // b6
	VMOVUPS 416(R10), Y12           // 0.5

nafrow:
	TESTQ BX, BX
	JLE   nafdone
	XORQ  AX, AX

nafloop:
	CMPQ AX, CX
	JGE  nafnext
	VMOVUPS     (DI)(AX*4), Y0
	VSUBPS      (R8)(AX*4), Y0, Y0  // x − m
	VMULPS      (R9)(AX*4), Y0, Y0  // x̂
	VMULPS      (R11)(AX*4), Y0, Y0 // x̂·s
	VADDPS      (R12)(AX*4), Y0, Y7 // z = x̂·s + t
	VMULPS      Y12, Y7, Y0         // u = z/2
	VMINPS      Y0, Y8, Y0          // min(9, u)
	VMAXPS      Y0, Y9, Y0          // max(−9, u)
	VMULPS      Y0, Y0, Y1          // u²
	VMOVAPS     Y10, Y2             // p = a13
	VFMADD213PS 96(R10), Y1, Y2     // a11
	VFMADD213PS 128(R10), Y1, Y2    // a9
	VFMADD213PS 160(R10), Y1, Y2    // a7
	VFMADD213PS 192(R10), Y1, Y2    // a5
	VFMADD213PS 224(R10), Y1, Y2    // a3
	VFMADD213PS 256(R10), Y1, Y2    // a1
	VMULPS      Y0, Y2, Y2          // p·u
	VMOVAPS     Y11, Y3             // q = b6
	VFMADD213PS 320(R10), Y1, Y3    // b4
	VFMADD213PS 352(R10), Y1, Y3    // b2
	VFMADD213PS 384(R10), Y1, Y3    // b0
	VDIVPS      Y3, Y2, Y2          // tanh(u)
	VMULPS      Y12, Y2, Y2         // tanh/2
	VADDPS      Y12, Y2, Y2         // σ = 1/2 + tanh/2
	VMOVUPS     Y2, (DX)(AX*4)
	VMULPS      Y2, Y7, Y7          // y = z·σ
	VMOVUPS     Y7, (SI)(AX*4)
	ADDQ        $8, AX
	JMP         nafloop

nafnext:
	LEAQ (DI)(CX*4), DI
	LEAQ (SI)(CX*4), SI
	LEAQ (DX)(CX*4), DX
	DECQ BX
	JMP  nafrow

nafdone:
	VZEROUPPER
	RET

// func normActGrad32AVX2(x, dy, sg, m, r, s, t, sa, ta *float32, c, rows int)
//
// For rows × c numbers (c a multiple of 8): x̂ = (x − m)·r, z = x̂·s + t,
// ∂z = dy·σ·(1 + z(1 − σ)) with σ = sg; sa += ∂z·x̂, ta += ∂z (per
// channel), dy = ∂z·s.
TEXT ·normActGrad32AVX2(SB), NOSPLIT, $0-88
	MOVQ x+0(FP), DI
	MOVQ dy+8(FP), SI
	MOVQ sg+16(FP), DX
	MOVQ m+24(FP), R8
	MOVQ r+32(FP), R9
	MOVQ s+40(FP), R11
	MOVQ t+48(FP), R12
	MOVQ sa+56(FP), R13
	MOVQ ta+64(FP), R10
	MOVQ c+72(FP), CX
	MOVQ rows+80(FP), BX
	MOVL    $0x3f800000, AX         // 1.0
	MOVL    AX, X15
	VBROADCASTSS X15, Y15

nagrow:
	TESTQ BX, BX
	JLE   nagdone
	XORQ  AX, AX

nagloop:
	CMPQ AX, CX
	JGE  nagnext
	VMOVUPS     (DI)(AX*4), Y0
	VSUBPS      (R8)(AX*4), Y0, Y0  // x − m
	VMULPS      (R9)(AX*4), Y0, Y0  // x̂
	VMULPS      (R11)(AX*4), Y0, Y1 // x̂·s
	VADDPS      (R12)(AX*4), Y1, Y1 // z
	VMOVUPS     (DX)(AX*4), Y2      // σ
	VSUBPS      Y2, Y15, Y3         // 1 − σ
	VFMADD213PS Y15, Y1, Y3         // 1 + z(1 − σ)
	VMULPS      Y2, Y3, Y3          // silu'(z)
	VMULPS      (SI)(AX*4), Y3, Y3  // ∂z
	VMOVUPS     (R13)(AX*4), Y4
	VFMADD231PS Y3, Y0, Y4          // sa += ∂z·x̂
	VMOVUPS     Y4, (R13)(AX*4)
	VADDPS      (R10)(AX*4), Y3, Y5 // ta += ∂z
	VMOVUPS     Y5, (R10)(AX*4)
	VMULPS      (R11)(AX*4), Y3, Y3 // ∂x̂ = ∂z·s
	VMOVUPS     Y3, (SI)(AX*4)
	ADDQ        $8, AX
	JMP         nagloop

nagnext:
	LEAQ (DI)(CX*4), DI
	LEAQ (SI)(CX*4), SI
	LEAQ (DX)(CX*4), DX
	DECQ BX
	JMP  nagrow

nagdone:
	VZEROUPPER
	RET

// func normActInput32AVX2(x, dh, dx, m, r, q1, q2 *float32, c, rows int)
//
// For rows × c numbers (c a multiple of 8): x̂ = (x − m)·r,
// dx += r·(dh − q1 − x̂·q2).
TEXT ·normActInput32AVX2(SB), NOSPLIT, $0-72
	MOVQ x+0(FP), DI
	MOVQ dh+8(FP), SI
	MOVQ dx+16(FP), DX
	MOVQ m+24(FP), R8
	MOVQ r+32(FP), R9
	MOVQ q1+40(FP), R11
	MOVQ q2+48(FP), R12
	MOVQ c+56(FP), CX
	MOVQ rows+64(FP), BX

nairow:
	TESTQ BX, BX
	JLE   naidone
	XORQ  AX, AX

nailoop:
	CMPQ AX, CX
	JGE  nainext
	VMOVUPS      (R9)(AX*4), Y1     // r
	VMOVUPS      (DI)(AX*4), Y0
	VSUBPS       (R8)(AX*4), Y0, Y0 // x − m
	VMULPS       Y1, Y0, Y0         // x̂
	VMOVUPS      (SI)(AX*4), Y2
	VSUBPS       (R11)(AX*4), Y2, Y2 // dh − q1
	VFNMADD231PS (R12)(AX*4), Y0, Y2 // − x̂·q2
	VMOVUPS      (DX)(AX*4), Y3
	VFMADD231PS  Y2, Y1, Y3          // dx += r·(…)
	VMOVUPS      Y3, (DX)(AX*4)
	ADDQ         $8, AX
	JMP          nailoop

nainext:
	LEAQ (DI)(CX*4), DI
	LEAQ (SI)(CX*4), SI
	LEAQ (DX)(CX*4), DX
	DECQ BX
	JMP  nairow

naidone:
	VZEROUPPER
	RET

// func normActSum32AVX2(x *float32, sum *float64, c, rows int)
//
// sum[ch] += Σ_rows float64(x[row·c + ch]) for ch < c, c a multiple of 4,
// each channel summed in row order (as the Go loop does).
TEXT ·normActSum32AVX2(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), DI
	MOVQ sum+8(FP), SI
	MOVQ c+16(FP), CX
	MOVQ rows+24(FP), BX

nasrow:
	TESTQ BX, BX
	JLE   nasdone
	XORQ  AX, AX

nasloop:
	CMPQ      AX, CX
	JGE       nasnext
	VCVTPS2PD (DI)(AX*4), Y0
	VADDPD    (SI)(AX*8), Y0, Y0
	VMOVUPD   Y0, (SI)(AX*8)
	ADDQ      $4, AX
	JMP       nasloop

nasnext:
	LEAQ (DI)(CX*4), DI
	DECQ BX
	JMP  nasrow

nasdone:
	VZEROUPPER
	RET

// func normActSqDev32AVX2(x, m *float32, sum *float64, c, rows int)
//
// sum[ch] += Σ_rows e², e = float64(x[row·c + ch] − m[ch]) (the difference
// rounded in float32, as the Go loop does), c a multiple of 4.
TEXT ·normActSqDev32AVX2(SB), NOSPLIT, $0-40
	MOVQ x+0(FP), DI
	MOVQ m+8(FP), R8
	MOVQ sum+16(FP), SI
	MOVQ c+24(FP), CX
	MOVQ rows+32(FP), BX

nadrow:
	TESTQ BX, BX
	JLE   naddone
	XORQ  AX, AX

nadloop:
	CMPQ      AX, CX
	JGE       nadnext
	VMOVUPS   (DI)(AX*4), X0
	VSUBPS    (R8)(AX*4), X0, X0
	VCVTPS2PD X0, Y0
	VMULPD    Y0, Y0, Y0
	VADDPD    (SI)(AX*8), Y0, Y0
	VMOVUPD   Y0, (SI)(AX*8)
	ADDQ      $4, AX
	JMP       nadloop

nadnext:
	LEAQ (DI)(CX*4), DI
	DECQ BX
	JMP  nadrow

naddone:
	VZEROUPPER
	RET

// func sumSq32AVX2(x *float32, n int, acc *[16]float64)
//
// acc[l] += Σ_{i ≡ l mod 16} float64(x[i])² for i < n, n a multiple of 16,
// each square rounded before it is added, in order of i (as sumSq32Go).
TEXT ·sumSq32AVX2(SB), NOSPLIT, $0-24
	MOVQ    x+0(FP), DI
	MOVQ    n+8(FP), CX
	MOVQ    acc+16(FP), SI
	VMOVUPD (SI), Y0
	VMOVUPD 32(SI), Y1
	VMOVUPD 64(SI), Y2
	VMOVUPD 96(SI), Y3
	XORQ    AX, AX

ssqloop:
	CMPQ      AX, CX
	JGE       ssqdone
	VCVTPS2PD (DI)(AX*4), Y4
	VCVTPS2PD 16(DI)(AX*4), Y5
	VCVTPS2PD 32(DI)(AX*4), Y6
	VCVTPS2PD 48(DI)(AX*4), Y7
	VMULPD    Y4, Y4, Y4
	VMULPD    Y5, Y5, Y5
	VMULPD    Y6, Y6, Y6
	VMULPD    Y7, Y7, Y7
	VADDPD    Y4, Y0, Y0
	VADDPD    Y5, Y1, Y1
	VADDPD    Y6, Y2, Y2
	VADDPD    Y7, Y3, Y3
	ADDQ      $16, AX
	JMP       ssqloop

ssqdone:
	VMOVUPD Y0, (SI)
	VMOVUPD Y1, 32(SI)
	VMOVUPD Y2, 64(SI)
	VMOVUPD Y3, 96(SI)
	VZEROUPPER
	RET

// func ema32AVX2(ema, p *float32, n int, c float32)
//
// ema[i] += c·(p[i] − ema[i]) for i < n, n a multiple of 8: a subtraction,
// a multiplication and an addition, each rounded (no fused multiply-add),
// as the Go loop of adamRange computes it.
TEXT ·ema32AVX2(SB), NOSPLIT, $0-28
	MOVQ         ema+0(FP), DI
	MOVQ         p+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS c+24(FP), Y8
	XORQ         AX, AX

emaloop:
	CMPQ    AX, CX
	JGE     emadone
	VMOVUPS (DI)(AX*4), Y0
	VMOVUPS (SI)(AX*4), Y1
	VSUBPS  Y0, Y1, Y1     // p − ema
	VMULPS  Y8, Y1, Y1     // c·(p − ema)
	VADDPS  Y1, Y0, Y0     // ema + c·(p − ema)
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ    $8, AX
	JMP     emaloop

emadone:
	VZEROUPPER
	RET
