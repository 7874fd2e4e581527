package simplex

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/stat/distuv"
)

// TestLogGamma checks the whole law of Marsaglia–Tsang draws against the
// exact Gamma(a, 1) CDF with a one-sample Kolmogorov–Smirnov test, and the
// mean of log G against E[log G] = ψ(a).
func TestLogGamma(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 0))
	const n = 20000
	// KS critical value at level 0.001 is 1.95/√N (asymptotic Kolmogorov
	// distribution). A wrong boost exponent (U^a instead of U^{1/a}) or a
	// dropped acceptance test moves the CDF by far more than 0.014.
	ksCrit := 1.95 / math.Sqrt(n)
	for _, a := range []float64{0.01, 0.3, 0.999, 1, 2.5, 30} {
		l := make([]float64, n)
		for i := range l {
			l[i] = logGamma(a, r)
			if math.IsNaN(l[i]) || math.IsInf(l[i], 1) {
				t.Fatalf("a=%g: logGamma = %v", a, l[i])
			}
		}
		slices.Sort(l)
		g := distuv.Gamma{Alpha: a, Beta: 1}
		ks := 0.0
		for i, v := range l {
			f := g.CDF(math.Exp(v))
			ks = math.Max(ks, math.Max(f-float64(i)/n, float64(i+1)/n-f))
		}
		if ks > ksCrit {
			t.Errorf("a=%g: KS distance %.4f > %.4f", a, ks, ksCrit)
		}
		var mean, m2 float64
		for _, v := range l {
			mean += v
		}
		mean /= n
		for _, v := range l {
			m2 += (v - mean) * (v - mean)
		}
		se := math.Sqrt(m2 / n / n)
		// 4.5 standard errors: a correct sampler fails with probability
		// below 1e-5 per shape.
		if want := mathext.Digamma(a); math.Abs(mean-want) > 4.5*se {
			t.Errorf("a=%g: mean log G = %.4f, want ψ(a) = %.4f (se %.4f)", a, mean, want, se)
		}
	}
}
