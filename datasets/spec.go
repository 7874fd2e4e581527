package datasets

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/mmi-go/mmi/internal/atomicfile"
	"github.com/mmi-go/mmi/internal/jsonpos"
	"github.com/mmi-go/mmi/marginals"
)

// specFile is the JSON form of a Gaussian-mixture specification.
type specFile struct {
	Dim       *int           `json:"dim"`
	Marginals []specMarginal `json:"marginals"`
	Coupling  string         `json:"coupling,omitempty"`
}

type specMarginal struct {
	Weights []float64     `json:"weights,omitempty"`
	Means   [][]float64   `json:"means"`
	Covs    [][][]float64 `json:"covs"`
}

// symTol is the relative asymmetry |Σ_ij − Σ_ji| / max(|Σ_ij|, |Σ_ji|)
// accepted in a covariance: round-off of a matrix computed as A Aᵀ in
// floating point and printed at full precision stays far below it, while
// any real typo is far above it. Accepted matrices are symmetrized.
const symTol = 1e-9

// ReadSpec reads the Gaussian-mixture specification in the JSON file at
// path:
//
//	{"dim": 2, "marginals": [
//	  {"weights": [0.5, 0.5], "means": [[0, 0], [3, 1]],
//	   "covs": [[[1, 0], [0, 1]], [[0.5, 0.1], [0.1, 0.3]]]},
//	  …]}
//
// Each entry of "marginals" is one data marginal ρ_k = Σ_c w_c N(μ_c, Σ_c),
// in order. See ParseSpec for the rules it must follow.
func ReadSpec(path string) ([]*marginals.Mixture, error) {
	mix, _, err := ReadSpecCoupling(path)
	return mix, err
}

// ReadSpecCoupling reads a specification as ReadSpec does and also the
// coupling it declares: an optional top-level "coupling", "independent"
// (the default) or "ot", the optimal-transport coupling of the data
// marginals, which has a closed form only when every marginal is a single
// Gaussian (anything else is an error).
func ReadSpecCoupling(path string) ([]*marginals.Mixture, marginals.CouplingSpec, error) {
	f, err := atomicfile.Open(path)
	if err != nil {
		return nil, marginals.CouplingSpec{}, fmt.Errorf("datasets: %w", err)
	}
	defer f.Close()
	return parseSpec(f, path)
}

// ParseSpec reads a Gaussian-mixture specification (see ReadSpec) from r;
// name is the file name used in errors. It checks that
//   - the document is one JSON object with only the keys "dim",
//     "marginals" and "coupling", and marginals with only "weights",
//     "means" and "covs";
//   - "coupling", if given, is "independent" or "ot", and "ot" comes with
//     single Gaussians only (see ReadSpecCoupling);
//   - dim ≥ 1 and there is at least one marginal, each with at least one
//     component;
//   - every mean has dim entries and every covariance is dim×dim,
//     symmetric (to a relative 1e-9) and positive definite;
//   - there are as many means as covariances, and as many weights, which
//     follow marginals.NewMixture's rule: finite and ≥ 0 with a positive
//     sum (a zero weight is a component that never occurs). Weights may be
//     omitted, meaning equal weights, and are normalized to sum to one
//     ([1, 3] is [0.25, 0.75]).
//
// Errors name the marginal and the component by their 0-based position
// in the JSON arrays.
func ParseSpec(r io.Reader, name string) ([]*marginals.Mixture, error) {
	mix, _, err := parseSpec(r, name)
	return mix, err
}

func parseSpec(r io.Reader, name string) ([]*marginals.Mixture, marginals.CouplingSpec, error) {
	mix, coupling, err := parseSpecMixtures(r, name)
	if err != nil {
		return nil, marginals.CouplingSpec{}, err
	}
	spec := marginals.CouplingSpec{Kind: marginals.KindIndependent}
	switch coupling {
	case "", string(marginals.KindIndependent):
	case string(marginals.KindOT):
		spec.Kind = marginals.KindOT
		for k, m := range mix {
			n := 0
			for _, w := range m.Weights() {
				if w > 0 {
					n++
				}
			}
			if n != 1 {
				return nil, marginals.CouplingSpec{}, fmt.Errorf("datasets: %s: \"coupling\": \"ot\" needs single Gaussians (the optimal coupling of mixtures has no closed form), but marginal %d has %d components", name, k, n)
			}
		}
	default:
		return nil, marginals.CouplingSpec{}, fmt.Errorf("datasets: %s: unknown \"coupling\" %q (want \"independent\" or \"ot\")", name, coupling)
	}
	return mix, spec, nil
}

func parseSpecMixtures(r io.Reader, name string) ([]*marginals.Mixture, string, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, "", fmt.Errorf("datasets: %s: %w", name, err)
	}
	// A byte-order mark (editors on Windows write one) is not JSON.
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var sf specFile
	if err := dec.Decode(&sf); err != nil {
		switch {
		case errors.Is(err, io.EOF):
			return nil, "", fmt.Errorf("datasets: %s: empty specification", name)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return nil, "", fmt.Errorf("datasets: %s: specification ends early (truncated JSON)", name)
		}
		return nil, "", fmt.Errorf("datasets: %s%s: %w", name, jsonpos.Of(data, err), err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, "", fmt.Errorf("datasets: %s: unexpected data after the specification object", name)
	}
	fail := func(format string, a ...any) ([]*marginals.Mixture, string, error) {
		return nil, "", fmt.Errorf("datasets: %s: "+format, append([]any{name}, a...)...)
	}
	if sf.Dim == nil {
		return fail("missing \"dim\"")
	}
	dim := *sf.Dim
	if dim < 1 {
		return fail("dim is %d, must be ≥ 1", dim)
	}
	if len(sf.Marginals) == 0 {
		return fail("no marginals")
	}
	out := make([]*marginals.Mixture, len(sf.Marginals))
	for k, m := range sf.Marginals {
		nc := len(m.Means)
		if nc == 0 {
			return fail("marginal %d: no components (empty \"means\")", k)
		}
		if len(m.Covs) != nc {
			return fail("marginal %d: %d means but %d covs", k, nc, len(m.Covs))
		}
		weights := m.Weights
		if weights == nil {
			weights = make([]float64, nc)
			for c := range weights {
				weights[c] = 1
			}
		}
		if len(weights) != nc {
			return fail("marginal %d: %d weights but %d components", k, len(weights), nc)
		}
		comps := make([]*marginals.Gaussian, nc)
		for c := 0; c < nc; c++ {
			if len(m.Means[c]) != dim {
				return fail("marginal %d, component %d: mean has %d entries, dim is %d", k, c, len(m.Means[c]), dim)
			}
			cov, err := symmetric(m.Covs[c], dim)
			if err != nil {
				return fail("marginal %d, component %d: covariance %v", k, c, err)
			}
			g, err := marginals.NewGaussian(m.Means[c], cov)
			if err != nil {
				return fail("marginal %d, component %d: %v", k, c, err)
			}
			comps[c] = g
		}
		mix, err := marginals.NewMixture(weights, comps)
		if err != nil {
			return fail("marginal %d: %v", k, err)
		}
		out[k] = mix
	}
	return out, sf.Coupling, nil
}

// symmetric checks that rows form a dim×dim symmetric matrix and returns
// it, symmetrized.
func symmetric(rows [][]float64, dim int) (*mat.SymDense, error) {
	if len(rows) != dim {
		return nil, fmt.Errorf("has %d rows, want %d (dim)", len(rows), dim)
	}
	for i, row := range rows {
		if len(row) != dim {
			return nil, fmt.Errorf("row %d has %d entries, want %d (dim)", i, len(row), dim)
		}
	}
	s := mat.NewSymDense(dim, nil)
	for i := 0; i < dim; i++ {
		for j := i; j < dim; j++ {
			a, b := rows[i][j], rows[j][i]
			if math.Abs(a-b) > symTol*math.Max(math.Abs(a), math.Abs(b)) {
				return nil, fmt.Errorf("is not symmetric: entry (%d, %d) is %v but (%d, %d) is %v", i, j, a, j, i, b)
			}
			s.SetSym(i, j, (a+b)/2)
		}
	}
	return s, nil
}

// WriteSpec writes mixtures as a Gaussian-mixture specification that
// ReadSpec reads back exactly (numbers are written in their shortest
// round-trip form). The file is replaced atomically. The mixtures must be
// non-empty and of one dimension; a mismatch is a programmer error and
// panics.
func WriteSpec(path string, mixtures []*marginals.Mixture) error {
	if len(mixtures) == 0 {
		panic("datasets: WriteSpec of no mixtures")
	}
	dim := mixtures[0].Dim()
	sf := specFile{Dim: &dim, Marginals: make([]specMarginal, len(mixtures))}
	for k, m := range mixtures {
		if m.Dim() != dim {
			panic(fmt.Sprintf("datasets: WriteSpec: mixture %d has dimension %d, mixture 0 has %d", k, m.Dim(), dim))
		}
		sm := specMarginal{Weights: m.Weights()}
		for _, g := range m.Components() {
			sm.Means = append(sm.Means, g.Mean())
			sym := g.Cov()
			cov := make([][]float64, dim)
			for i := range cov {
				cov[i] = make([]float64, dim)
				for j := range cov[i] {
					cov[i][j] = sym.At(i, j)
				}
			}
			sm.Covs = append(sm.Covs, cov)
		}
		sf.Marginals[k] = sm
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(sf); err != nil {
		return fmt.Errorf("datasets: %s: %w", path, err)
	}
	if err := atomicfile.WriteBytes(path, buf.Bytes()); err != nil {
		return fmt.Errorf("datasets: %w", err)
	}
	return nil
}
