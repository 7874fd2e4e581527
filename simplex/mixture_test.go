package simplex_test

import (
	"math"
	"slices"
	"testing"

	"github.com/mmi-go/mmi/simplex"
)

func TestMixtureWeights(t *testing.T) {
	// Vertices have support 1, 2-faces support 3, so each draw shows its
	// component. Weights (3, 7, 0) are normalised to (0.3, 0.7, 0).
	m, err := simplex.NewMixture(
		[]simplex.Sampler{simplex.Vertices{}, simplex.Faces{Dim: 2}, simplex.Faces{Dim: 1}},
		[]float64{3, 7, 0})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.Weights, []float64{0.3, 0.7, 0}) {
		t.Errorf("normalised weights %v", m.Weights)
	}
	const draws = 40000
	r := newRand(8)
	a := make([]float64, 4)
	vertices := 0
	for i := 0; i < draws; i++ {
		m.Sample(a, r)
		checkOnSimplex(t, a)
		switch len(simplex.Support(a)) {
		case 1:
			vertices++
		case 3:
		default:
			t.Fatalf("sample %v from a zero-weight component", a)
		}
	}
	p := float64(vertices) / draws
	se := math.Sqrt(0.3 * 0.7 / draws)
	// 5 binomial standard errors; equal weights (0.5) would be 70 away.
	if math.Abs(p-0.3) > 5*se {
		t.Errorf("vertex fraction %.4f, want 0.3 (se %.4f)", p, se)
	}
}

func TestMixtureErrors(t *testing.T) {
	v := []simplex.Sampler{simplex.Vertices{}, simplex.Edges{}}
	for _, tc := range []struct {
		s []simplex.Sampler
		w []float64
	}{
		{nil, nil},
		{v, []float64{1}},
		{v, []float64{-1, 2}},
		{v, []float64{0, 0}},
		{v, []float64{math.NaN(), 1}},
		{v, []float64{math.Inf(1), 1}},
		{[]simplex.Sampler{nil, simplex.Edges{}}, []float64{1, 1}},
	} {
		if _, err := simplex.NewMixture(tc.s, tc.w); err == nil {
			t.Errorf("NewMixture(%v, %v): no error", tc.s, tc.w)
		}
	}
}

// TestReproducible: the same seed gives the same points, another seed
// different ones, for every sampler.
func TestReproducible(t *testing.T) {
	d, _ := simplex.NewDirichlet([]float64{0.3, 1, 2, 5})
	mix, _ := simplex.NewMixture([]simplex.Sampler{d, simplex.Edges{}, simplex.Faces{Dim: 2}}, []float64{1, 1, 1})
	for _, s := range []simplex.Sampler{d, simplex.Edges{}, simplex.Vertices{}, simplex.Faces{Dim: 2}, mix} {
		draw := func(seed uint64) []float64 {
			r := newRand(seed)
			out := make([]float64, 0, 40)
			a := make([]float64, 4)
			for i := 0; i < 10; i++ {
				s.Sample(a, r)
				out = append(out, a...)
			}
			return out
		}
		if !slices.Equal(draw(9), draw(9)) {
			t.Errorf("%T: same seed, different samples", s)
		}
		if slices.Equal(draw(9), draw(10)) {
			t.Errorf("%T: different seeds, same samples", s)
		}
	}
}
