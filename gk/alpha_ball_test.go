package gk

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/mmi-go/mmi/cond"
	"github.com/mmi-go/mmi/simplex"
)

// The ball's α-distribution stays in the ball, keeps 1 − BallShare of its
// draws on the simplex, spreads the rest over radii up to C (uniform in
// area: P(r ≤ C/2) = 1/4 of the off-simplex draws), and still puts mass on
// the edges (two non-zero coordinates), where schedules run. Tolerances:
// 5 standard errors of a proportion of 20000 draws (≤ 0.018).
func TestAlphaBall(t *testing.T) {
	inner, err := DefaultAlphaMix.Sampler(4)
	if err != nil {
		t.Fatal(err)
	}
	c := math.Sqrt2
	b := &alphaBall{inner: inner, radius: c}
	dom := simplex.Ball(c)
	r := rand.New(rand.NewPCG(1, 2))
	const n = 20000
	var onSimplex, inner2, edges int
	a := make([]float64, 4)
	for i := 0; i < n; i++ {
		b.Sample(a, r)
		if err := dom.Contains(a); err != nil {
			t.Fatalf("draw %v: %v", a, err)
		}
		if simplex.Validate(a) == nil {
			onSimplex++
			continue
		}
		norm := 0.0
		nz := 0
		for _, v := range a {
			norm += v * v
			if v > 0 {
				nz++
			}
		}
		if math.Sqrt(norm) <= c/2 {
			inner2++
		}
		if nz == 2 {
			edges++
		}
	}
	off := n - onSimplex
	if f := float64(onSimplex) / n; math.Abs(f-(1-BallShare)) > 0.018 {
		t.Errorf("share on the simplex %.3f, want %.2f", f, 1-BallShare)
	}
	if f := float64(inner2) / float64(off); math.Abs(f-0.25) > 0.02 {
		t.Errorf("share of off-simplex draws with |α| ≤ C/2: %.3f, want 0.25", f)
	}
	if f := float64(edges) / float64(off); math.Abs(f-DefaultAlphaMix.Edges) > 0.02 {
		t.Errorf("share of off-simplex draws on two coordinates %.3f, want the edge share %.2f", f, DefaultAlphaMix.Edges)
	}
}

// A ball model records its domain in the checkpoint and gets it back; a
// simplex model's checkpoint has no domain field (the format before
// domains existed) and loads as a simplex model; a model cannot be given
// an unbounded ball.
func TestCheckpointDomain(t *testing.T) {
	dir := t.TempDir()
	for _, dom := range []simplex.Domain{simplex.Simplex, simplex.Ball(math.Sqrt2), simplex.Ball(2)} {
		tr := ckTrained(t, Config{Hidden: []int{8}, Domain: dom})
		file := filepath.Join(dir, "m.mmi")
		if err := tr.Save(file); err != nil {
			t.Fatal(err)
		}
		m, err := Load(file)
		if err != nil {
			t.Fatal(err)
		}
		if m.Domain() != dom {
			t.Errorf("saved domain %v, loaded %v", dom, m.Domain())
		}
		if cond.DomainOf(m) != dom {
			t.Errorf("cond.DomainOf = %v, want %v", cond.DomainOf(m), dom)
		}
		// A simplex model's file is the format before domains existed:
		// no "domain" key at all.
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if has := bytes.Contains(data, []byte("domain")); has != (dom != simplex.Simplex) {
			t.Errorf("%v: file has a domain key: %v", dom, has)
		}
	}
	if _, err := NewModel(Config{Marginals: 2, Dim: 1, Domain: simplex.Unbounded}, rand.New(rand.NewPCG(1, 1))); err == nil {
		t.Error("a model on the unbounded ball: no error")
	}
	// Loss weights per head follow α ≥ 0; on the ball α_k can be negative
	// and a weight with it.
	c := trCoupling(t, trMixtures(t))
	if _, err := NewTrainer(Config{Hidden: []int{8}, Domain: simplex.Ball(simplex.DefaultRadius)}, c, Settings{HeadWeightFloor: 0.05}); err == nil {
		t.Error("head weights on the ball: no error")
	}
}
