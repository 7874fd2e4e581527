package gk

import (
	"math"
	"sync"
	"testing"
)

// TestTrainRowBlocks checks lossGrad's per-row passes, which run on every
// core in blocks of rowBlock rows, against a plain serial reference written
// from the definitions: the network inputs Σ_k α_k x_k, then for every row
// the heads read through applyHeads (clamped data heads with Bounds,
// projected when the loss goes through the projection), the loss summed row
// by row within a block and the blocks' sums in order, and ∂L/∂h =
// 2(g − x)/(b d) (through the transposed projection). Inputs, ∂L/∂h and the
// loss must agree to the bit. The blocks are then run again each on its
// own goroutine, all at once (as on many cores; the race detector watches
// the scratch), and must give the same bits. The batch of 100 rows ends
// with a short block. A float32 network with direct heads has its loss
// read its float32 outputs and write ∂L/∂h in float32 itself: the same
// numbers as the conversions through float64 give. With loss weights per
// head (HeadWeightFloor δ) head k's squared errors and ∂L/∂g_k are
// multiplied by w_k = (K+1)(α_k + δ)/(1 + (K+1)δ), on every path.
func TestTrainRowBlocks(t *testing.T) {
	const kk, d, b = 4, 50, 100
	for _, hc := range []struct {
		heads        Heads
		through, f32 bool
		floor        float64
	}{{HeadsDirect, false, false, 0}, {HeadsProjected, true, false, 0}, {HeadsProjected, false, false, 0}, {HeadsDirect, false, true, 0}, {HeadsProjected, true, true, 0},
		{HeadsDirect, false, false, 0.05}, {HeadsProjected, true, false, 0.05}, {HeadsDirect, false, true, 0.05}} {
		cfg := Config{Hidden: []int{8}, Heads: hc.heads, Norm: Affine{Scale: 1}, Bounds: Bounds{Lo: -0.5, Hi: 0.5}, Float32: hc.f32}
		tr, err := NewTrainer(cfg, bnUniform{kk, d}, Settings{Batch: b, Seed: 5, LossThroughProjection: hc.through, HeadWeightFloor: hc.floor})
		if err != nil {
			t.Fatal(err)
		}
		tr.drawBatch()
		loss := tr.lossGrad()
		heads := hc.heads
		if !hc.through {
			heads = HeadsDirect
		}
		s32, narrow := tr.es.(*mlpScratch[float32])
		narrow = narrow && heads == HeadsDirect
		in := append([]float64(nil), tr.es.input(b)...)
		dOut := append([]float64(nil), tr.es.dOut(b)...)
		if narrow {
			for i, v := range s32.dOutTOf(b) {
				dOut[i] = float64(v)
			}
		}
		out := tr.es.forward(b)

		f, w := tr.model.feat.dim(), tr.model.featDim()+d
		g, resid := newRows(kk, d), make([]float64, d)
		wantDOut := make([]float64, len(dOut))
		clamped, want, block := 0, 0.0, 0.0
		scale := 2 / float64(b*d) // as the trainer rounds it
		for i := 0; i < b; i++ {
			a := tr.alphas[i*kk : (i+1)*kk]
			xi := in[i*w+f : i*w+f+d]
			for j := range xi {
				x := 0.0
				for k := range a {
					if a[k] != 0 {
						x += a[k] * tr.xs[k][i*d+j]
					}
				}
				if xi[j] != x {
					t.Fatalf("%v/%v: input of row %d, coordinate %d: %v, want %v", hc.heads, hc.through, i, j, xi[j], x)
				}
			}
			h := out[i*kk*d : (i+1)*kk*d]
			applyHeads(heads, tr.model.box, tr.model.inv, g, h, a, xi, 0, resid)
			dh := wantDOut[i*kk*d : (i+1)*kk*d]
			wsum := 0.0
			for k := range g {
				w := 1.0
				if hc.floor > 0 {
					w = kk / (1 + kk*hc.floor) * (a[k] + hc.floor)
				}
				wsum += w
				for j := range g[k] {
					if k > 0 && math.Abs(h[k*d+j]) > 0.5 {
						clamped++
					}
					e := g[k][j] - tr.xs[k][i*d+j]
					block += w * e * e
					dh[k*d+j] = w * scale * e
				}
			}
			if math.Abs(wsum-kk) > 1e-12 {
				t.Fatalf("row %d: the head weights sum to %v, want K+1 = %d", i, wsum, kk)
			}
			if heads == HeadsProjected {
				dg := newRows(kk, d)
				for k := range dg {
					copy(dg[k], dh[k*d:(k+1)*d])
				}
				projectHeadGrad(dh, dg, a, tr.model.inv, resid)
			}
			if narrow {
				for k := range dh {
					dh[k] = float64(float32(dh[k]))
				}
			}
			if (i+1)%rowBlock == 0 || i == b-1 {
				want, block = want+block, 0
			}
		}
		want /= b * d
		if clamped == 0 {
			t.Fatalf("%v/%v: no head outside the bounds: the clamp is not tested", hc.heads, hc.through)
		}
		if narrow != (hc.f32 && !hc.through) {
			t.Fatalf("%v/%v/%v: the float32 loss path taken %v", hc.heads, hc.through, hc.f32, narrow)
		}
		if math.Float64bits(loss) != math.Float64bits(want) {
			t.Errorf("%v/%v: loss %v, want %v", hc.heads, hc.through, loss, want)
		}
		for i := range dOut {
			if dOut[i] != wantDOut[i] {
				t.Fatalf("%v/%v: ∂L/∂h[%d] = %v, want %v", hc.heads, hc.through, i, dOut[i], wantDOut[i])
			}
		}
		if narrow {
			// The gradient from the float32 ∂L/∂h is the one backward
			// gives from the float64 ∂L/∂h.
			got := append([]float32(nil), tr.opt.grad().([]float32)...)
			copy(tr.es.dOut(b), wantDOut)
			tr.es.backward(tr.opt.grad(), false)
			for i, v := range tr.opt.grad().([]float32) {
				if got[i] != v {
					t.Fatalf("float32 loss: gradient entry %d = %v, want %v", i, got[i], v)
				}
			}
		}

		// Every block on its own goroutine.
		j := tr.rows
		j.t, j.heads, j.in, j.out, j.dOut = tr, heads, tr.es.input(b), out, tr.es.dOut(b)
		clear(j.dOut)
		if narrow {
			j.out32, j.dOut32 = s32.forwardT(b), s32.dOutTOf(b)
			clear(j.dOut32)
		}
		clear(j.loss)
		var wg sync.WaitGroup
		for q := range j.loss {
			wg.Add(1)
			go func() { defer wg.Done(); lossBlocks(j, q, q+1) }()
		}
		wg.Wait()
		sum := 0.0
		for _, v := range j.loss {
			sum += v
		}
		if sum /= b * d; math.Float64bits(sum) != math.Float64bits(want) {
			t.Errorf("%v/%v: blocks at once: loss %v, want %v", hc.heads, hc.through, sum, want)
		}
		for i := range j.dOut {
			if narrow {
				j.dOut[i] = float64(j.dOut32[i])
			}
			if j.dOut[i] != wantDOut[i] {
				t.Fatalf("%v/%v: blocks at once: ∂L/∂h[%d] = %v, want %v", hc.heads, hc.through, i, j.dOut[i], wantDOut[i])
			}
		}
	}
}

// TestConvJob checks the float64 ↔ float32 conversion of the MLP engine's
// buffers, split over the cores for long buffers: every number converted,
// none shifted, in both directions.
func TestConvJob(t *testing.T) {
	n := 3*convGrain + 5
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(i) + 0.25
	}
	y := make([]float32, n)
	j := &convJob[float32]{run: convRange[float32]}
	j.toT(y, x)
	back := make([]float64, n)
	j.to64(back, y)
	for i := range x {
		if y[i] != float32(x[i]) || back[i] != float64(float32(x[i])) {
			t.Fatalf("entry %d: %v → %v → %v", i, x[i], y[i], back[i])
		}
	}
}

// TestScaleGrad checks the clipping pass, split over the cores for long
// gradients: every entry multiplied by T(c), none skipped or done twice,
// and the norm scaled by c (to float32 rounding).
func TestScaleGrad(t *testing.T) {
	n := 3<<15 + 7
	o := newOptState(make([]float32, n), make([]float32, n))
	for i := range o.g {
		o.g[i] = float32(i%1000) - 499.5
	}
	want := make([]float32, n)
	for i, v := range o.g {
		want[i] = v * float32(0.3)
	}
	before := o.gradNorm()
	o.scaleGrad(0.3)
	for i := range want {
		if o.g[i] != want[i] {
			t.Fatalf("entry %d: %v, want %v", i, o.g[i], want[i])
		}
	}
	// float32 products: relative error ≤ 2⁻²⁴ per entry.
	if after := o.gradNorm(); math.Abs(after-0.3*before) > 1e-6*before {
		t.Errorf("norm %v after scaling by 0.3, was %v", after, before)
	}
}

// A float32 MLP with Precondition reports the loss of its heads
// m_k + s_k n_k, not of its raw outputs n_k: the loss of lossGrad equals
// the loss recomputed in float64 from the network's outputs through the
// heads' map (to float32 rounding of the outputs, 1e-5 relative), and
// the loss of the raw outputs differs by far more (the fitted scales of
// trMixtures are 0.36–0.58), so a trainer that reads the float32 outputs
// as heads fails. It did: 412f6c1 trained such models to an edge error of
// 0.99 (0.08 in float64).
func TestTrainPreconditionFloat32(t *testing.T) {
	const b = 64
	cfg := Config{Hidden: []int{8}, Float32: true, Precondition: Precondition{On: true}}
	tr := trTrainer(t, cfg, Settings{Batch: b, Seed: 3})
	tr.drawBatch()
	loss := tr.lossGrad()
	kk, d := tr.model.cfg.Marginals, tr.model.cfg.Dim
	out := tr.es.forward(b)
	h := tr.model.pc.buffer(1)
	var want, raw float64
	for i := 0; i < b; i++ {
		o := out[i*kk*d : (i+1)*kk*d]
		tr.model.pc.heads(h, o)
		for k := 0; k < kk; k++ {
			for j := 0; j < d; j++ {
				x := tr.xs[k][i*d+j]
				want += (h[k*d+j] - x) * (h[k*d+j] - x)
				raw += (o[k*d+j] - x) * (o[k*d+j] - x)
			}
		}
	}
	want /= float64(b * d)
	raw /= float64(b * d)
	if math.Abs(loss-want) > 1e-5*want {
		t.Errorf("float32 with preconditioning: loss %v, want %v (the loss of the raw outputs is %v)", loss, want, raw)
	}
	if math.Abs(raw-want) < 0.1*want {
		t.Fatalf("raw outputs and heads give losses %v and %v: the test cannot tell them apart", raw, want)
	}
}
