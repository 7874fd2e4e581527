package path

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/mmi-go/mmi/cond"
	"github.com/mmi-go/mmi/gk"
)

// On the diagonal Gaussians the log density along any path is known in
// closed form: the integrated ℓ must match it to the solver's accuracy, and
// the work must be d VJPs per NFE.
func TestLogLikelihoodGaussians(t *testing.T) {
	g := &counting{g: gauss3()}
	p := mustPath(Polyline(vertex(3, 0), []float64{0.2, 0.3, 0.5}, vertex(3, 1)))
	n := 200
	x := normals(n*2, newRand(1))
	l, st, err := LogLikelihood(context.Background(), mustVelocity(g, p), x, nil, Dopri5{Atol: 1e-9, Rtol: 1e-9}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	gs := g.g.(interface {
		LogDensity(alpha, x []float64) float64
	})
	e := 0.0
	for i := range l {
		e = math.Max(e, math.Abs(l[i]-gs.LogDensity(vertex(3, 1), x[2*i:2*i+2])))
	}
	t.Logf("max |ℓ − log ρ| = %.2e, %+v", e, st)
	// Dopri5 at 1e-9 (global error ≲ 20·tol·(1+|y|), TestDopri5); a wrong
	// sign of the divergence or a missing α̇ weight is off by O(1).
	if e > 1e-6 {
		t.Errorf("log density off by %.3g", e)
	}
	if st.VJP != 2*st.NFE || g.vjps.Load() != int64(n*st.VJP) {
		t.Errorf("NFE %d, VJP %d, rows through VJP %d; want 2 VJPs of %d rows per NFE", st.NFE, st.VJP, g.vjps.Load(), n)
	}
}

// Against the exact Gaussian-mixture density: e_0 → e_k in 2-D and 5-D
// with the exact trace, Hutchinson's estimator unbiased within its
// standard error, and its spread shrinking like 1/√probes.
func TestLogLikelihoodMixtures(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name string
		o    *gk.Oracle
		k    int
	}{{"2-D e0→e2", oracle(t, mix2()), 2}, {"5-D e0→e1", oracle(t, mix5()), 1}} {
		k1, d := c.o.Sizes()
		n := 400
		p := mustPath(Segment(vertex(k1, 0), vertex(k1, c.k)))
		x0 := normals(n*d, newRand(5))
		x := slices.Clone(x0)
		s := Dopri5{Atol: 1e-7, Rtol: 1e-7}
		exact, st, err := LogLikelihood(ctx, mustVelocity(c.o, p), x, nil, s, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		e := 0.0
		for i := range exact {
			e = math.Max(e, math.Abs(exact[i]-c.o.LogDensity(vertex(k1, c.k), x[i*d:(i+1)*d])))
		}
		t.Logf("%s exact trace: max |ℓ − log ρ_k| = %.2e, %+v", c.name, e, st)
		// Dopri5 at 1e-7 over a state with |ℓ| ≲ 20: 20·tol·(1+|y|) ≈ 5e-5.
		if e > 5e-5 {
			t.Errorf("%s: log density off by %.3g", c.name, e)
		}
		var spread [2]float64
		for j, probes := range []int{1, 16} {
			xh := slices.Clone(x0)
			hutch, st, err := LogLikelihood(ctx, mustVelocity(c.o, p), xh, nil, s, newRand(6), &LikelihoodOptions{ExactMaxDim: -1, Probes: probes})
			if err != nil {
				t.Fatal(err)
			}
			if st.VJP != probes*st.NFE {
				t.Errorf("%s: %d VJPs for NFE %d with %d probes", c.name, st.VJP, st.NFE, probes)
			}
			var mean, sq float64
			for i := range hutch {
				diff := hutch[i] - exact[i]
				mean += diff
				sq += diff * diff
			}
			mean /= float64(n)
			sd := math.Sqrt(sq/float64(n) - mean*mean)
			spread[j] = sd
			t.Logf("%s Hutchinson, %d probes: mean error %.2e, spread %.2e, %+v", c.name, probes, mean, sd, st)
			// Unbiased: the mean of n independent estimates is within
			// 4 standard errors of the exact values (the solver error,
			// ≤ 5e-5, is negligible beside sd/√n).
			if math.Abs(mean) > 4*sd/math.Sqrt(float64(n)) {
				t.Errorf("%s, %d probes: mean error %.3g, standard error %.3g", c.name, probes, mean, sd/math.Sqrt(float64(n)))
			}
		}
		// Averaging 16 independent probes divides the spread by 4; the
		// ratio of two spread estimates from 400 samples each is within
		// [2.5, 6] unless the probes were not independent (ratio 1) or not
		// used (the spread would be 0).
		if r := spread[0] / spread[1]; !(r > 2.5 && r < 6) {
			t.Errorf("%s: spread ratio 1 vs 16 probes %.2f, want ≈ 4", c.name, r)
		}
	}
}

// log ρ_k of data rows, integrated back to the Gaussian, against the
// mixture's own density formula (independent of the oracle).
func TestMarginalLogLikelihood(t *testing.T) {
	data := mix2()
	o := oracle(t, data)
	for k := 0; k <= 3; k++ {
		y := sampleOf(data, k, 300, 7)
		y0 := slices.Clone(y)
		l, st, err := MarginalLogLikelihood(context.Background(), o, y, k, Dopri5{Atol: 1e-7, Rtol: 1e-7}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(y, y0) {
			t.Fatal("MarginalLogLikelihood modified its input")
		}
		e := 0.0
		for i := range l {
			want := StdNormalLogDensity(y[2*i : 2*i+2])
			if k > 0 {
				want = data[k-1].LogProb(y[2*i : 2*i+2])
			}
			e = math.Max(e, math.Abs(l[i]-want))
		}
		t.Logf("marginal %d: max |ℓ − log ρ_k| = %.2e, %+v", k, e, st)
		// As in TestLogLikelihoodMixtures.
		if e > 5e-5 {
			t.Errorf("marginal %d: log density off by %.3g", k, e)
		}
	}
}

func TestLikelihoodErrors(t *testing.T) {
	ctx := context.Background()
	o := oracle(t, mix2())
	x := normals(20, newRand(1))
	seg := mustPath(Segment(vertex(4, 0), vertex(4, 1)))
	edge := mustPath(Segment(vertex(4, 1), vertex(4, 2)))
	for _, c := range []struct {
		name string
		run  func() error
		want string
	}{
		{"no VJP", func() error {
			_, _, err := LogLikelihood(ctx, mustVelocity(&noVJP{o}, seg), slices.Clone(x), nil, RK4{5}, nil, nil)
			return err
		}, "VJP"},
		{"start off e_0 without logp0", func() error {
			_, _, err := LogLikelihood(ctx, mustVelocity(o, edge), slices.Clone(x), nil, RK4{5}, nil, nil)
			return err
		}, "e_0"},
		{"logp0 length", func() error {
			_, _, err := LogLikelihood(ctx, mustVelocity(o, edge), slices.Clone(x), make([]float64, 3), RK4{5}, nil, nil)
			return err
		}, "starting log densities"},
		{"Hutchinson without a source", func() error {
			_, _, err := LogLikelihood(ctx, mustVelocity(o, seg), slices.Clone(x), nil, RK4{5}, nil, &LikelihoodOptions{ExactMaxDim: -1})
			return err
		}, "random source"},
		{"marginal out of range", func() error {
			_, _, err := MarginalLogLikelihood(ctx, o, x, 4, RK4{5}, nil, nil)
			return err
		}, "out of range"},
	} {
		if err := c.run(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %q", c.name, err, c.want)
		}
	}
	// With logp0 given, any start is allowed.
	if _, _, err := LogLikelihood(ctx, mustVelocity(o, edge), slices.Clone(x), make([]float64, 10), RK4{5}, nil, nil); err != nil {
		t.Error(err)
	}
}

// noVJP hides the VJP method of a Conditional.
type noVJP struct{ g cond.Conditional }

func (n *noVJP) Sizes() (int, int)                      { return n.g.Sizes() }
func (n *noVJP) Eval(g [][]float64, alpha, x []float64) { n.g.Eval(g, alpha, x) }
