package nn

import (
	"math"
	"sync"
)

// unetJob is the context of the NormAct passes, split over images.
type unetJob[T Float] struct {
	t                  unetTensor
	x, dx, out         []T
	sig, mean, rstd    []T
	film, dfilm        []T
	filmW, off, groups int
	wg                 sync.WaitGroup
	fwd, bwd           rangeFunc
	// the elementwise ops' and the gradient clearing's context
	u                 *UNet[T]
	ws                *UNetWorkspace[T]
	op                unetOp
	back              bool
	last              int
	elemRun, clearRun rangeFunc
}

func newUNetJob[T Float]() *unetJob[T] {
	return &unetJob[T]{fwd: normActForwardJob[T], bwd: normActBackwardJob[T], elemRun: elemJob[T], clearRun: clearGradsJob[T]}
}

// elem runs an elementwise op over n images split across the cores.
func (j *unetJob[T]) elem(u *UNet[T], ws *UNetWorkspace[T], op unetOp, n int, back bool) {
	j.u, j.ws, j.op, j.back = u, ws, op, back
	parallelFor(n, max(1, grain/max(u.tensors[op.out].size(), 1)), j.elemRun, j, &j.wg)
	j.u, j.ws = nil, nil
}

func elemJob[T Float](ctx any, lo, hi int) {
	j := ctx.(*unetJob[T])
	j.u.elemRange(j.ws, j.op, lo, hi, j.back)
}

// clearGrads zeroes the gradients of every tensor but last for n images,
// split across the cores.
func (j *unetJob[T]) clearGrads(u *UNet[T], ws *UNetWorkspace[T], n, last int) {
	j.u, j.ws, j.last = u, ws, last
	parallelFor(n, 1, j.clearRun, j, &j.wg)
	j.u, j.ws = nil, nil
}

func clearGradsJob[T Float](ctx any, lo, hi int) {
	j := ctx.(*unetJob[T])
	for i, t := range j.u.tensors {
		if i != j.last {
			clear(j.ws.grad[i][lo*t.size() : hi*t.size()])
		}
	}
}

// run runs f over n images split across the cores, with the arguments
// already set in j.
func (j *unetJob[T]) run(n int, f rangeFunc) {
	parallelFor(n, max(1, grain/max(j.t.size(), 1)), f, j, &j.wg)
	j.x, j.dx, j.out, j.sig, j.mean, j.rstd, j.film, j.dfilm = nil, nil, nil, nil, nil, nil, nil, nil
}

// normEps is GroupNorm's ε (PyTorch's default).
const normEps = 1e-5

// NormAct, y = silu(z) with z = x̂·(1 + s) + t and x̂ = (x − μ)/σ_g, in
// three passes over an image forward and two backward, each over the
// pixels with the channels innermost (contiguous in NHWC) and per-channel
// vectors of μ, 1/σ, 1 + s and t; loops over the few channels of one
// group were measured slower.
//
// The forward pass keeps σ(z) = 1/(1 + e^{−z}) for the backward pass
// instead of x̂: x̂ is recomputed from the input (still in the workspace)
// and the group's mean and 1/σ, which costs two operations, while σ(z)
// costs a division and a polynomial. In float32, σ(z) = (1 + tanh(z/2))/2
// with the rational tanh32, and the elementwise passes run eight channels
// at a time in assembly where AVX2 is present (channels a multiple of 8,
// as in every default U-Net layer).

// normActForwardJob computes y = silu(GN(x)·(1 + s) + t) for images
// [lo, hi): group statistics in float64 (mean, then the mean square about
// it), σ(z), the means and 1/σ kept for the backward pass.
func normActForwardJob[T Float](ctx any, lo, hi int) {
	j := ctx.(*unetJob[T])
	t, g := j.t, j.groups
	hw, c := t.h*t.w, t.c
	cg := c / g
	cnt := float64(hw * cg)
	var acc [maxUNetChannels]float64
	var meanC, rstdC, scale [maxUNetChannels]T
	for i := lo; i < hi; i++ {
		x := j.x[i*hw*c : (i+1)*hw*c]
		sg := j.sig[i*hw*c : (i+1)*hw*c]
		y := j.out[i*hw*c : (i+1)*hw*c]
		fs := j.film[i*j.filmW+j.off : i*j.filmW+j.off+c]
		ft := j.film[i*j.filmW+j.off+c : i*j.filmW+j.off+2*c]
		sums := acc[:c]
		clear(sums)
		normActSum(x, sums, hw)
		mu := j.mean[i*g : (i+1)*g]
		for k := 0; k < g; k++ {
			m := 0.0
			for _, v := range sums[k*cg : (k+1)*cg] {
				m += v
			}
			mu[k] = T(m / cnt)
			for ch := k * cg; ch < (k+1)*cg; ch++ {
				meanC[ch] = mu[k]
			}
		}
		clear(sums)
		mc := meanC[:c]
		normActSqDev(x, mc, sums, hw)
		r := j.rstd[i*g : (i+1)*g]
		for k := 0; k < g; k++ {
			v := 0.0
			for _, e := range sums[k*cg : (k+1)*cg] {
				v += e
			}
			r[k] = T(1 / math.Sqrt(v/cnt+normEps))
			for ch := k * cg; ch < (k+1)*cg; ch++ {
				rstdC[ch] = r[k]
			}
		}
		sc := scale[:c]
		for ch := range sc {
			sc[ch] = 1 + fs[ch]
		}
		normActOut(x, y, sg, mc, rstdC[:c], sc, ft, hw)
	}
}

// normActSum adds the per-channel sums of hw pixels of c = len(sums)
// channels into sums, in float64 and pixel order (the same sums with or
// without assembly).
func normActSum[T Float](x []T, sums []float64, hw int) {
	c := len(sums)
	if is32[T]() && haveAVX2 && c%8 == 0 {
		normActSum32AVX2(&as32(x)[0], &sums[0], c, hw)
		return
	}
	normActSumGo(x, sums, hw)
}

func normActSumGo[T Float](x []T, sums []float64, hw int) {
	c := len(sums)
	for p := 0; p < hw; p++ {
		for ch, v := range x[p*c : (p+1)*c] {
			sums[ch] += float64(v)
		}
	}
}

// normActSqDev adds the per-channel sums of (x − m)² into sums, the
// difference rounded in T and squared in float64.
func normActSqDev[T Float](x, m []T, sums []float64, hw int) {
	c := len(sums)
	if is32[T]() && haveAVX2 && c%8 == 0 {
		normActSqDev32AVX2(&as32(x)[0], &as32(m)[0], &sums[0], c, hw)
		return
	}
	normActSqDevGo(x, m, sums, hw)
}

func normActSqDevGo[T Float](x, m []T, sums []float64, hw int) {
	c := len(sums)
	m = m[:c]
	for p := 0; p < hw; p++ {
		for ch, v := range x[p*c : (p+1)*c] {
			e := float64(v - m[ch])
			sums[ch] += e * e
		}
	}
}

// normActOut sets, for hw pixels of c = len(m) channels,
// z = (x − m)·r·s + t, sg = σ(z) and y = z·σ(z).
func normActOut[T Float](x, y, sg, m, r, s, t []T, hw int) {
	c := len(m)
	if is32[T]() && haveAVX2 && c%8 == 0 {
		normActFwd32AVX2(&as32(x)[0], &as32(y)[0], &as32(sg)[0], &as32(m)[0], &as32(r)[0], &as32(s)[0], &as32(t)[0], c, hw, &normActConsts)
		return
	}
	normActOutGo(x, y, sg, m, r, s, t, hw)
}

func normActOutGo[T Float](x, y, sg, m, r, s, t []T, hw int) {
	c := len(m)
	f32 := is32[T]()
	m, r, s, t = m[:c], r[:c], s[:c], t[:c]
	for p := 0; p < hw; p++ {
		row, srow, yrow := x[p*c:(p+1)*c], sg[p*c:(p+1)*c], y[p*c:(p+1)*c]
		for ch, xv := range row {
			z := (xv-m[ch])*r[ch]*s[ch] + t[ch]
			var sv T
			if f32 {
				sv = T(0.5 + 0.5*tanh32(float32(z)*0.5)) // σ(z) = (1 + tanh(z/2))/2
			} else {
				sv = T(sigmoid(float64(z)))
			}
			srow[ch] = sv
			yrow[ch] = z * sv
		}
	}
}

// normActBackwardJob back-propagates through NormAct for images [lo, hi):
// j.out holds ∂L/∂y (overwritten with ∂L/∂x̂), j.dx receives ∂L/∂x added,
// j.dfilm ∂L/∂s and ∂L/∂t added:
//
//	∂z = ∂y·silu'(z),  ∂s = Σ ∂z·x̂,  ∂t = Σ ∂z,  ∂x̂ = ∂z·(1 + s),
//	∂x = (1/σ)(∂x̂ − mean(∂x̂) − x̂·mean(∂x̂·x̂))   (means over the group),
//
// with silu'(z) = σ(z)(1 + z(1 − σ(z))), Σ ∂x̂ = (1 + s)·∂t and
// Σ ∂x̂·x̂ = (1 + s)·∂s per channel.
func normActBackwardJob[T Float](ctx any, lo, hi int) {
	j := ctx.(*unetJob[T])
	t, g := j.t, j.groups
	hw, c := t.h*t.w, t.c
	cg := c / g
	cnt := T(hw * cg)
	var scale, dsA, dtA, m1C, m2C, meanC, rstdC [maxUNetChannels]T
	for i := lo; i < hi; i++ {
		dy := j.out[i*hw*c : (i+1)*hw*c]
		x := j.x[i*hw*c : (i+1)*hw*c]
		dx := j.dx[i*hw*c : (i+1)*hw*c]
		sg := j.sig[i*hw*c : (i+1)*hw*c]
		fs := j.film[i*j.filmW+j.off : i*j.filmW+j.off+c]
		ft := j.film[i*j.filmW+j.off+c : i*j.filmW+j.off+2*c]
		ds := j.dfilm[i*j.filmW+j.off : i*j.filmW+j.off+c]
		dt := j.dfilm[i*j.filmW+j.off+c : i*j.filmW+j.off+2*c]
		mu, r := j.mean[i*g:(i+1)*g], j.rstd[i*g:(i+1)*g]
		for k := 0; k < g; k++ {
			for ch := k * cg; ch < (k+1)*cg; ch++ {
				meanC[ch], rstdC[ch] = mu[k], r[k]
			}
		}
		sc, sa, ta, mc, rc := scale[:c], dsA[:c], dtA[:c], meanC[:c], rstdC[:c]
		for ch := range sc {
			sc[ch] = 1 + fs[ch]
		}
		clear(sa)
		clear(ta)
		normActGrad(x, dy, sg, mc, rc, sc, ft, sa, ta, hw)
		for ch := range ds {
			ds[ch] += sa[ch]
			dt[ch] += ta[ch]
		}
		for k := 0; k < g; k++ {
			var m1, m2 T
			for ch := k * cg; ch < (k+1)*cg; ch++ {
				m1 += sc[ch] * ta[ch]
				m2 += sc[ch] * sa[ch]
			}
			for ch := k * cg; ch < (k+1)*cg; ch++ {
				m1C[ch], m2C[ch] = m1/cnt, m2/cnt
			}
		}
		normActInput(x, dy, dx, mc, rc, m1C[:c], m2C[:c], hw)
	}
}

// normActGrad is the first backward pass over hw pixels of c = len(m)
// channels: with x̂ = (x − m)·r and z = x̂·s + t, it sets
// ∂z = dy·sg·(1 + z(1 − sg)), adds Σ ∂z·x̂ into sa and Σ ∂z into ta, and
// overwrites dy with ∂x̂ = ∂z·s.
func normActGrad[T Float](x, dy, sg, m, r, s, t, sa, ta []T, hw int) {
	c := len(m)
	if is32[T]() && haveAVX2 && c%8 == 0 {
		normActGrad32AVX2(&as32(x)[0], &as32(dy)[0], &as32(sg)[0], &as32(m)[0], &as32(r)[0], &as32(s)[0], &as32(t)[0], &as32(sa)[0], &as32(ta)[0], c, hw)
		return
	}
	normActGradGo(x, dy, sg, m, r, s, t, sa, ta, hw)
}

func normActGradGo[T Float](x, dy, sg, m, r, s, t, sa, ta []T, hw int) {
	c := len(m)
	m, r, s, t, sa, ta = m[:c], r[:c], s[:c], t[:c], sa[:c], ta[:c]
	for p := 0; p < hw; p++ {
		xrow, drow, srow := x[p*c:(p+1)*c], dy[p*c:(p+1)*c], sg[p*c:(p+1)*c]
		for ch, xv := range xrow {
			v := (xv - m[ch]) * r[ch]
			z := v*s[ch] + t[ch]
			sv := srow[ch]
			dz := drow[ch] * sv * (1 + z*(1-sv))
			sa[ch] += dz * v
			ta[ch] += dz
			drow[ch] = dz * s[ch]
		}
	}
}

// normActInput is the second backward pass: dx += r·(dh − q1 − x̂·q2) with
// x̂ = (x − m)·r, over hw pixels of c = len(m) channels.
func normActInput[T Float](x, dh, dx, m, r, q1, q2 []T, hw int) {
	c := len(m)
	if is32[T]() && haveAVX2 && c%8 == 0 {
		normActInput32AVX2(&as32(x)[0], &as32(dh)[0], &as32(dx)[0], &as32(m)[0], &as32(r)[0], &as32(q1)[0], &as32(q2)[0], c, hw)
		return
	}
	normActInputGo(x, dh, dx, m, r, q1, q2, hw)
}

func normActInputGo[T Float](x, dh, dx, m, r, q1, q2 []T, hw int) {
	c := len(m)
	m, r, q1, q2 = m[:c], r[:c], q1[:c], q2[:c]
	for p := 0; p < hw; p++ {
		xrow, drow, dxrow := x[p*c:(p+1)*c], dh[p*c:(p+1)*c], dx[p*c:(p+1)*c]
		for ch, xv := range xrow {
			v := (xv - m[ch]) * r[ch]
			dxrow[ch] += r[ch] * (drow[ch] - q1[ch] - v*q2[ch])
		}
	}
}
