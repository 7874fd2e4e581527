package gk

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"
)

// The edge sampler puts the asked share on data–data edges and draws the
// position t from Beta(β, β): mean ½, variance 1/(4(2β+1)). With n = 40000
// draws the share's standard error is ≤ 0.0025 and the variance's about
// 0.002 (Beta(½,½) has fourth central moment 3/128), so 4 standard errors
// are 0.01 for both; uniform t (variance 1/12 = 0.083) against Beta(½,½)
// (0.125) is 20 of those apart.
func TestAlphaEdges(t *testing.T) {
	const n = 40000
	for _, c := range []struct {
		beta, share float64
		wantShare   float64
	}{
		{1, 0, 0.5},       // K = 3: 3 of 6 edges are data–data
		{0.5, 0, 0.5},     //
		{0.5, 0.75, 0.75}, //
		{2, 0.25, 0.25},   //
	} {
		s, err := AlphaMix{Edges: 1, EdgeBeta: c.beta, DataEdges: c.share}.Sampler(4)
		if err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(1, 2))
		a := make([]float64, 4)
		var dd, sum, sq float64
		for range n {
			s.Sample(a, r)
			var nz []int
			for k, v := range a {
				if v != 0 {
					nz = append(nz, k)
				}
			}
			if len(nz) != 2 || math.Abs(a[nz[0]]+a[nz[1]]-1) > 1e-12 {
				t.Fatalf("β %v: %v is not on an edge", c.beta, a)
			}
			if nz[0] != 0 {
				dd++
			}
			// t is the larger index's weight; by symmetry of the order its law is Beta(β, β).
			v := a[nz[1]]
			sum += v
			sq += v * v
		}
		share, mean := dd/n, sum/n
		variance := sq/n - mean*mean
		want := 1 / (4 * (2*c.beta + 1))
		if math.Abs(share-c.wantShare) > 0.01 || math.Abs(mean-0.5) > 0.01 || math.Abs(variance-want) > 0.01 {
			t.Errorf("β %v share %v: data–data share %.3f (want %.3f), t mean %.3f, variance %.4f (want %.4f)",
				c.beta, c.share, share, c.wantShare, mean, variance, want)
		}
	}
	for _, bad := range []AlphaMix{{Edges: 1, DataEdges: 1.5}, {Edges: 1, DataEdges: -0.1}, {Edges: 1, EdgeBeta: -1}} {
		if err := (Settings{Alpha: bad}).withDefaults().validate(); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

// The edge settings and the head loss survive a checkpoint: a resumed
// trainer samples α and computes its loss as the original one did.
func TestAlphaMixCheckpoint(t *testing.T) {
	mix := AlphaMix{Interior: 0.3, Faces: 0.1, Edges: 0.5, Vertices: 0.1, EdgeBeta: 0.5, DataEdges: 0.7}
	for _, through := range []bool{false, true} {
		tr := trTrainer(t, Config{Hidden: []int{4}, Heads: HeadsProjected}, Settings{Steps: 2, Batch: 4, Alpha: mix, LossThroughProjection: through})
		file := filepath.Join(t.TempDir(), "a.mmi")
		if err := tr.Save(file); err != nil {
			t.Fatal(err)
		}
		back, err := Resume(file, trCoupling(t, trMixtures(t)), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := back.Settings().Alpha; got != mix {
			t.Errorf("resumed α mixture %+v, want %+v", got, mix)
		}
		if got := back.Settings().LossThroughProjection; got != through {
			t.Errorf("resumed loss through projection %v, want %v", got, through)
		}
	}
}
