package generate

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"

	"github.com/mmi-go/mmi/cond"
	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/marginals"
)

// Generator is a conditional expectation together with its normalization
// and its data marginals: everything needed to generate in data units. It
// is immutable after construction and safe for concurrent use when its
// Conditional is.
type Generator struct {
	g     cond.Conditional
	norm  gk.Affine
	data  []marginals.Marginal // data coordinates; nil entries unavailable
	names []string
	image *datasets.ImageShape
	// spec is the coupling g was trained on (a checkpoint records it);
	// joint, if set, is an exact sampler of that coupling in data
	// coordinates (the coupled Gaussian oracle's), used instead of spec.
	spec  marginals.CouplingSpec
	joint marginals.Coupling
	// lo and hi, if not nil, are the box every data marginal lies in, in
	// model coordinates (a model's gk.Bounds): guided heads are clamped
	// into it as the model clamps its own.
	lo, hi []float64
}

// ErrUnavailable is returned when fresh samples of a data marginal are
// needed but the marginal could not be reopened (a sample file that moved).
var ErrUnavailable = errors.New("generate: data marginal is not available")

// New returns the generator of g, whose coordinates are the image of the
// data coordinates under norm (the zero Affine for the identity), for the
// data marginals data[0] … data[K−1] = ρ_1 … ρ_K in data coordinates. A nil
// entry is a marginal that cannot be sampled: everything that does not
// need fresh samples of it still works. names (optional, len K) label the
// marginals in tables and pictures.
func New(g cond.Conditional, norm gk.Affine, data []marginals.Marginal, names []string) (*Generator, error) {
	if g == nil {
		return nil, errors.New("generate: nil conditional expectation")
	}
	k1, d := g.Sizes()
	if k1 < 2 || d < 1 {
		return nil, fmt.Errorf("generate: model has %d marginals of dimension %d", k1, d)
	}
	if len(data) != k1-1 {
		return nil, fmt.Errorf("generate: model has %d data marginals, %d given", k1-1, len(data))
	}
	for i, m := range data {
		if m != nil && m.Dim() != d {
			return nil, fmt.Errorf("generate: data marginal %d has dimension %d, the model %d", i+1, m.Dim(), d)
		}
	}
	if norm.Center != nil && len(norm.Center) != d {
		return nil, fmt.Errorf("generate: normalization center has %d entries, dimension is %d", len(norm.Center), d)
	}
	if !(norm.Scale >= 0) {
		return nil, fmt.Errorf("generate: normalization scale %v", norm.Scale)
	}
	if names != nil && len(names) != k1-1 {
		return nil, fmt.Errorf("generate: %d names for %d data marginals", len(names), k1-1)
	}
	gen := &Generator{g: g, norm: gk.Affine{Center: append([]float64(nil), norm.Center...), Scale: norm.Scale},
		data: append([]marginals.Marginal(nil), data...), names: append([]string(nil), names...)}
	if c, ok := g.(interface{ Coupling() marginals.CouplingSpec }); ok {
		gen.spec = c.Coupling()
	}
	if names == nil {
		gen.names = make([]string, k1-1)
		for i := range gen.names {
			gen.names[i] = fmt.Sprintf("marginal %d", i+1)
		}
	}
	return gen, nil
}

// FromOracle returns the generator of an exact oracle of Gaussian
// mixtures (gk.Oracle, or gk.CoupledOracle for the OT coupling): identity
// normalization, the mixtures as data marginals, and the oracle's exact
// coupling as the one the interpolant is sampled from.
func FromOracle(o gk.Exact, names []string) (*Generator, error) {
	var data []marginals.Marginal
	for _, m := range o.Mixtures() {
		data = append(data, m)
	}
	g, err := New(o, gk.Affine{}, data, names)
	if err != nil {
		return nil, err
	}
	g.joint = o.Joint()
	return g, nil
}

// Sizes returns K+1 and the dimension d.
func (g *Generator) Sizes() (marginals, dim int) { return g.g.Sizes() }

// Conditional returns the conditional expectation, in model coordinates.
func (g *Generator) Conditional() cond.Conditional { return g.g }

// Normalization returns the map from data to model coordinates.
func (g *Generator) Normalization() gk.Affine { return g.norm }

// Names returns the labels of the data marginals 1 … K (index k−1).
func (g *Generator) Names() []string { return append([]string(nil), g.names...) }

// Name returns a short label of marginal k for tables and pictures: the
// base name of what Names records (a sample file without its directory),
// "Gaussian" for 0.
func (g *Generator) Name(k int) string {
	if k == 0 {
		return "Gaussian"
	}
	return filepath.Base(g.names[k-1])
}

// Image returns the image shape of the data when they are images of a
// labelled set, nil otherwise.
func (g *Generator) Image() *datasets.ImageShape { return g.image }

// SetImage records that the data are w×h images (for pictures).
func (g *Generator) SetImage(s *datasets.ImageShape) { g.image = s }

// Marginal returns marginal k in the coordinates the Generator exchanges
// it in: the standard Gaussian for k = 0 (noise, see the package comment),
// the data marginal in data coordinates otherwise. It returns
// ErrUnavailable for a data marginal that cannot be sampled.
func (g *Generator) Marginal(k int) (marginals.Marginal, error) {
	k1, d := g.Sizes()
	if k < 0 || k >= k1 {
		return nil, fmt.Errorf("generate: marginal %d is out of range: the model has marginals 0 (Gaussian) … %d", k, k1-1)
	}
	if k == 0 {
		return marginals.StandardGaussian(d), nil
	}
	if g.data[k-1] == nil {
		return nil, fmt.Errorf("%w: marginal %d (%s)", ErrUnavailable, k, g.names[k-1])
	}
	return g.data[k-1], nil
}

// Draw returns n samples of marginal k itself (not generated by the
// model): noise for k = 0, fresh draws or resampled rows of the data
// marginal otherwise, in data coordinates. They are the ground truth that
// generated samples are compared with, and the start of transfers.
func (g *Generator) Draw(k, n int, r *rand.Rand) ([]float64, error) {
	m, err := g.Marginal(k)
	if err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, fmt.Errorf("generate: %d samples", n)
	}
	x := make([]float64, n*m.Dim())
	m.Sample(x, r)
	return x, nil
}

// Coupling returns the coupling the model was trained on, in model
// coordinates: N(0, I) and the normalized data marginals, coupled as the
// model records (CouplingSpec: independent, or OT tuples with the
// training's block size), or the exact coupling of an oracle that has one
// (the OT-coupled Gaussian oracle). Whatever samples the interpolant to
// feed the model (transport-cost estimates of path optimization) samples
// this. It fails when a data marginal is unavailable.
func (g *Generator) Coupling() (marginals.Coupling, error) {
	if g.joint != nil {
		return gk.NormalizedCoupling(g.joint, g.norm), nil
	}
	_, d := g.Sizes()
	ms := []marginals.Marginal{marginals.StandardGaussian(d)}
	for k := 1; k <= len(g.data); k++ {
		m, err := g.Marginal(k)
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	c, err := g.spec.New(ms...)
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	return gk.NormalizedCoupling(c, g.norm), nil
}

// CouplingSpec returns the kind of coupling the model was trained on.
func (g *Generator) CouplingSpec() marginals.CouplingSpec { return g.spec }

// ToModel maps rows of data coordinates in place to model coordinates.
func (g *Generator) ToModel(x []float64) {
	if !g.norm.IsIdentity() {
		g.norm.Normalize(x)
	}
}

// ToData maps rows of model coordinates in place to data coordinates.
func (g *Generator) ToData(x []float64) {
	if !g.norm.IsIdentity() {
		g.norm.Denormalize(x)
	}
}

// LogScale returns log|det ∂(model)/∂(data)| = −d log s: a log density in
// model coordinates plus LogScale is the log density in data coordinates.
func (g *Generator) LogScale() float64 {
	_, d := g.Sizes()
	return g.norm.LogDetJacobian(d)
}
