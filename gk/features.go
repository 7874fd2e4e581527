package gk

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/mmi-go/mmi/internal/trig"
)

// FeatureKind selects how the simplex coordinate α enters the network.
type FeatureKind int

const (
	// FeaturesDefault resolves to the measured default, FeaturesFourier
	// with 16 frequencies of scale 1 (gk/ARCHITECTURE.md has the numbers).
	FeaturesDefault FeatureKind = iota
	// FeaturesPlain feeds α itself: K+1 inputs.
	FeaturesPlain
	// FeaturesFourier feeds α followed by random Fourier features
	// sin(2π Bα) and cos(2π Bα), B an M×(K+1) matrix with N(0, Scale²)
	// entries drawn once when the model is created (Tancik et al., 2020):
	// K+1+2M inputs. They let a tanh network resolve fast variation of g
	// in α (near the vertices and edges) with fewer hidden units.
	FeaturesFourier
)

// String returns "plain" or "fourier".
func (k FeatureKind) String() string {
	switch k {
	case FeaturesDefault:
		return "default"
	case FeaturesPlain:
		return "plain"
	case FeaturesFourier:
		return "fourier"
	}
	return fmt.Sprintf("FeatureKind(%d)", int(k))
}

// Features configures the α-features. A zero field means the documented
// default.
type Features struct {
	Kind FeatureKind
	// Frequencies is M, the number of random frequencies of
	// FeaturesFourier; 0 means 16.
	Frequencies int
	// Scale is the standard deviation of the entries of B; 0 means 1.
	Scale float64
}

func (f Features) withDefaults() Features {
	if f.Kind == FeaturesDefault {
		f.Kind = FeaturesFourier
	}
	if f.Kind == FeaturesFourier {
		if f.Frequencies == 0 {
			f.Frequencies = 16
		}
		if f.Scale == 0 {
			f.Scale = 1
		}
	} else {
		f.Frequencies, f.Scale = 0, 0
	}
	return f
}

func (f Features) validate() error {
	switch f.Kind {
	case FeaturesPlain:
	case FeaturesFourier:
		if f.Frequencies < 1 {
			return fmt.Errorf("gk: %d Fourier frequencies, need at least 1", f.Frequencies)
		}
		if !(f.Scale > 0) || math.IsInf(f.Scale, 0) {
			return fmt.Errorf("gk: Fourier feature scale %v, need positive and finite", f.Scale)
		}
	default:
		return fmt.Errorf("gk: unknown feature kind %d", int(f.Kind))
	}
	return nil
}

// alphaFeatures maps α ∈ Δ^K to the network's conditioning inputs.
type alphaFeatures struct {
	n    int // K+1
	kind FeatureKind
	b    []float64 // M×(K+1), row-major; nil for plain features
}

// newAlphaFeatures draws B from r for Fourier features.
func newAlphaFeatures(f Features, n int, r *rand.Rand) *alphaFeatures {
	a := &alphaFeatures{n: n, kind: f.Kind}
	if f.Kind == FeaturesFourier {
		a.b = make([]float64, f.Frequencies*n)
		for i := range a.b {
			a.b[i] = f.Scale * r.NormFloat64()
		}
	}
	return a
}

// dim returns the number of feature inputs.
func (a *alphaFeatures) dim() int { return a.n + 2*len(a.b)/a.n }

// compute writes the features of alpha into dst (len a.dim()):
// α, then sin(2π b_m·α) for m = 0…M−1, then cos(2π b_m·α).
func (a *alphaFeatures) compute(dst, alpha []float64) {
	copy(dst, alpha)
	m := len(a.b) / a.n
	for i := 0; i < m; i++ {
		row := a.b[i*a.n : (i+1)*a.n]
		s := 0.0
		for k, v := range row {
			s += v * alpha[k]
		}
		dst[a.n+i] = s
	}
	trig.Sincos2PiTo(dst[a.n:a.n+m], dst[a.n+m:a.n+2*m], dst[a.n:a.n+m])
}

// vjp adds Jᵀ dfeat to dalpha (length K+1), where J = ∂features/∂α is the
// Jacobian of compute: the identity for the first K+1 features,
// 2π cos(2π b_m·α) b_m for sin(2π b_m·α) and −2π sin(2π b_m·α) b_m for
// cos(2π b_m·α). Path optimization back-propagates through it.
func (a *alphaFeatures) vjp(dalpha, alpha, dfeat []float64) {
	for k := 0; k < a.n; k++ {
		dalpha[k] += dfeat[k]
	}
	m := len(a.b) / a.n
	for i := 0; i < m; i++ {
		row := a.b[i*a.n : (i+1)*a.n]
		s := 0.0
		for k, v := range row {
			s += v * alpha[k]
		}
		sn, cs := trig.Sincos2Pi(s)
		c := 2 * math.Pi * (cs*dfeat[a.n+i] - sn*dfeat[a.n+m+i])
		for k, v := range row {
			dalpha[k] += c * v
		}
	}
}
