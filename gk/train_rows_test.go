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
// with a short block.
func TestTrainRowBlocks(t *testing.T) {
	const kk, d, b = 4, 50, 100
	for _, hc := range []struct {
		heads   Heads
		through bool
	}{{HeadsDirect, false}, {HeadsProjected, true}, {HeadsProjected, false}} {
		cfg := Config{Hidden: []int{8}, Heads: hc.heads, Norm: Affine{Scale: 1}, Bounds: Bounds{Lo: -0.5, Hi: 0.5}}
		tr, err := NewTrainer(cfg, bnUniform{kk, d}, Settings{Batch: b, Seed: 5, LossThroughProjection: hc.through})
		if err != nil {
			t.Fatal(err)
		}
		tr.drawBatch()
		loss := tr.lossGrad()
		in := append([]float64(nil), tr.es.input(b)...)
		dOut := append([]float64(nil), tr.es.dOut(b)...)
		out := tr.es.forward(b)

		heads := hc.heads
		if !hc.through {
			heads = HeadsDirect
		}
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
			for k := range g {
				for j := range g[k] {
					if k > 0 && math.Abs(h[k*d+j]) > 0.5 {
						clamped++
					}
					e := g[k][j] - tr.xs[k][i*d+j]
					block += e * e
					dh[k*d+j] = scale * e
				}
			}
			if heads == HeadsProjected {
				dg := newRows(kk, d)
				for k := range dg {
					copy(dg[k], dh[k*d:(k+1)*d])
				}
				projectHeadGrad(dh, dg, a, tr.model.inv, resid)
			}
			if (i+1)%rowBlock == 0 || i == b-1 {
				want, block = want+block, 0
			}
		}
		want /= b * d
		if clamped == 0 {
			t.Fatalf("%v/%v: no head outside the bounds: the clamp is not tested", hc.heads, hc.through)
		}
		if math.Float64bits(loss) != math.Float64bits(want) {
			t.Errorf("%v/%v: loss %v, want %v", hc.heads, hc.through, loss, want)
		}
		for i := range dOut {
			if dOut[i] != wantDOut[i] {
				t.Fatalf("%v/%v: ∂L/∂h[%d] = %v, want %v", hc.heads, hc.through, i, dOut[i], wantDOut[i])
			}
		}

		// Every block on its own goroutine.
		j := tr.rows
		j.t, j.heads, j.in, j.out, j.dOut = tr, heads, tr.es.input(b), out, tr.es.dOut(b)
		clear(j.dOut)
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
