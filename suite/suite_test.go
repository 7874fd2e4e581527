package suite

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/path"
)

// specBytes is the specification file of p, as mmi suite writes it.
func specBytes(t *testing.T, p Problem) []byte {
	t.Helper()
	file := filepath.Join(t.TempDir(), "p.json")
	if err := datasets.WriteSpec(file, p.Marginals); err != nil {
		t.Fatal(err)
	}
	if back, err := datasets.ReadSpec(file); err != nil || len(back) != p.K {
		t.Fatalf("spec of %s does not read back: %v", p.Name, err)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDeterministic: the same seed gives the same problems, problem i does
// not depend on the size of the suite, and another seed gives others.
func TestDeterministic(t *testing.T) {
	a, err := Generate(7, 6, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Generate(7, 9, Options{})
	c, _ := Generate(8, 6, Options{})
	differ := 0
	for i := range a {
		if !bytes.Equal(specBytes(t, a[i]), specBytes(t, b[i])) || a[i].Name != b[i].Name {
			t.Errorf("problem %d of seed 7 differs between suites of 6 and 9", i)
		}
		if !bytes.Equal(specBytes(t, a[i]), specBytes(t, c[i])) {
			differ++
		}
	}
	if differ != len(a) {
		t.Errorf("seeds 7 and 8 share %d of %d problems", len(a)-differ, len(a))
	}
}

// TestRanges: sizes within the options, every kind present in four
// consecutive problems, scales within the ratio, covariances of the kind.
func TestRanges(t *testing.T) {
	o := Options{MinDim: 2, MaxDim: 5, MinK: 2, MaxK: 4, MaxScaleRatio: 6}
	ps, err := Generate(1, 40, o)
	if err != nil {
		t.Fatal(err)
	}
	seenD, seenK := map[int]bool{}, map[int]bool{}
	for i, p := range ps {
		if p.Dim < 2 || p.Dim > 5 || p.K < 2 || p.K > 4 || len(p.Marginals) != p.K {
			t.Fatalf("%s: d = %d, K = %d, %d marginals", p.Name, p.Dim, p.K, len(p.Marginals))
		}
		seenD[p.Dim], seenK[p.K] = true, true
		if p.Kinds[0] != Kinds[i%4] {
			t.Errorf("%s: first marginal %s, want %s", p.Name, p.Kinds[0], Kinds[i%4])
		}
		lo, hi := math.Inf(1), 0.0
		for k, m := range p.Marginals {
			lo, hi = math.Min(lo, p.Scales[k]), math.Max(hi, p.Scales[k])
			n := m.Len()
			want := map[Kind][2]int{Single: {1, 1}, Tight: {4, 8}, Elongated: {2, 3}, Mixed: {2, 4}}[p.Kinds[k]]
			if n < want[0] || n > want[1] || m.Dim() != p.Dim {
				t.Errorf("%s marginal %d (%s): %d components of dimension %d", p.Name, k+1, p.Kinds[k], n, m.Dim())
			}
			// Axis ratio of the elongated modes: the trace over the
			// smallest variance is at least 0.64/0.0225 ≈ 28 > 10.
			if p.Kinds[k] == Elongated {
				for _, g := range m.Components() {
					cov := g.Cov()
					tr := 0.0
					for j := 0; j < p.Dim; j++ {
						tr += cov.At(j, j)
					}
					if s := p.Scales[k]; tr/(s*s) < 0.64 {
						t.Errorf("%s marginal %d: trace %v too small for an elongated mode", p.Name, k+1, tr/(s*s))
					}
				}
			}
		}
		if hi/lo > 6+1e-9 {
			t.Errorf("%s: scale ratio %v > 6", p.Name, hi/lo)
		}
	}
	if len(seenD) != 4 || len(seenK) != 3 {
		t.Errorf("40 problems cover dimensions %v and K %v", seenD, seenK)
	}
	for _, bad := range []Options{{MinK: 1}, {MinDim: 5, MaxDim: 3}, {MaxScaleRatio: 0.5}} {
		if _, err := New(1, 0, bad); err == nil {
			t.Errorf("options %+v accepted", bad)
		}
	}
}

// TestScoreOracle: the exact oracle passes its own problem (every region
// 0, transfers at the floor of the measurement), and the oracle of another
// problem of the same sizes, standing in for a badly trained model, fails.
func TestScoreOracle(t *testing.T) {
	var p, q Problem
	for i := 0; ; i++ {
		c, err := New(3, i, Options{MaxDim: 2, MaxK: 2})
		if err != nil {
			t.Fatal(err)
		}
		if c.Kinds[0] == Single || c.Kinds[0] == Mixed {
			if p.Name == "" {
				p = c
			} else {
				q = c
				break
			}
		}
	}
	set := Settings{Points: 200, N: 600, Seed: 1, Options: &generate.Options{Solver: path.RK4{Steps: 20}}}
	score := func(g []*marginals.Mixture) *Result {
		o, err := gk.NewOracle(g)
		if err != nil {
			t.Fatal(err)
		}
		var data []marginals.Marginal
		for _, m := range p.Marginals {
			data = append(data, m)
		}
		gen, err := generate.New(o, gk.Affine{}, data, nil)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Score(context.Background(), p.Name, gen, p.Marginals, set)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	good := score(p.Marginals)
	if good.Report.Worst > 1e-9 || !good.Pass || good.WorstTransfer.Ratio > MaxRatio {
		t.Errorf("the oracle on its own problem: worst region %v, worst transfer %+v, pass %v", good.Report.Worst, good.WorstTransfer, good.Pass)
	}
	if len(good.Transfers) != p.K*p.K {
		t.Errorf("%d transfers, want K noise → j and K(K−1) pairs = %d", len(good.Transfers), p.K*p.K)
	}
	bad := score(q.Marginals)
	if bad.Pass || bad.Report.Worst < 0.1 {
		t.Errorf("another problem's oracle scores worst region %v, pass %v", bad.Report.Worst, bad.Pass)
	}
	sum, err := Summarize([]*Result{good, bad})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Passed != 1 || sum.WorstRegion != bad.Report.Worst || sum.Problems != 2 {
		t.Errorf("summary %+v", sum)
	}
}

// TestPooledScale compares the exact pooled scale of a problem with
// gk.FitAffine's estimate from 100000 draws, to 1.5 % (the relative
// standard error of a second moment of these mixtures from 100000 draws is
// below 0.5 %). A scale about each marginal's own mean instead of the
// pooled one (FitAffineWithin's) is far smaller on problems whose
// marginals sit apart, as problem 5 of seed 1 does, and fails.
func TestPooledScale(t *testing.T) {
	p, err := New(1, 5, Options{MaxDim: 5, MaxK: 4})
	if err != nil {
		t.Fatal(err)
	}
	ms := []marginals.Marginal{marginals.StandardGaussian(p.Dim)}
	for _, m := range p.Marginals {
		ms = append(ms, m)
	}
	c, err := marginals.NewIndependent(ms...)
	if err != nil {
		t.Fatal(err)
	}
	fit, err := gk.FitAffine(c, 100000, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	within, err := gk.FitAffineWithin(c, 100000, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	got := PooledScale(p.Marginals)
	if math.Abs(got/fit.Scale-1) > 0.015 {
		t.Errorf("%s: PooledScale %v, FitAffine %v", p.Name, got, fit.Scale)
	}
	if math.Abs(got/within.Scale-1) < 0.1 {
		t.Errorf("%s: pooled scale %v and within %v too close for the test to tell them apart", p.Name, got, within.Scale)
	}
}
