package gk

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/mmi-go/mmi/cond"
	"github.com/mmi-go/mmi/marginals"
)

// RegionKind names a part of the simplex Δ^K in a Report.
type RegionKind string

// The regions of a Report. Paths from noise run along Gaussian–data edges,
// transfers between data marginals along data–data edges, barycenters of
// three marginals on 2-faces; near a vertex the targets are sharpest.
const (
	RegionGaussDataEdges RegionKind = "gauss-data edges"
	RegionDataDataEdges  RegionKind = "data-data edges"
	RegionFaces          RegionKind = "2-faces"
	RegionInterior       RegionKind = "interior"
	RegionNearVertex     RegionKind = "near vertex"
)

// RegionError is the error of a conditional against the truth on one
// region of the simplex.
type RegionError struct {
	// Kind is the region; Vertex is the vertex k of RegionNearVertex
	// (−1 for the other kinds).
	Kind   RegionKind `json:"region"`
	Vertex int        `json:"vertex"`
	// Alphas is the number of points α of the region measured, each with
	// ReportSettings.Points draws of x ~ ρ(α).
	Alphas int `json:"alphas"`
	// RelErr is the mean over the region's α of the relative error
	//
	//	Σ_k E|ĝ_k(α, x) − g_k(α, x)|² / Σ_k E|g_k(α, x) − E g_k(α, x)|² ,  x ~ ρ(α):
	//
	// 0 is exact; the best constant in x (E g_k) scores 1.
	RelErr float64 `json:"rel_err"`
	// Heads splits RelErr by head: Heads[k] is the mean over the region's
	// α of E|ĝ_k − g_k|² / Σ_j E|g_j − E g_j|², so the K+1 entries sum to
	// RelErr. It says which conditional expectation is wrong: near the
	// vertex of a marginal of small scale it is the other heads, which
	// must resolve that marginal's fine structure, not the vertex's own.
	Heads []float64 `json:"heads"`
	// MaxRelErr is the largest relative error of one α in the region.
	MaxRelErr float64 `json:"max_rel_err"`
	// Identity is the residual of the identity Σ_k α_k ĝ_k = x on the
	// region, rms(Σ_k α_k ĝ_k − x)/rms(x) over its points.
	Identity float64 `json:"identity"`
}

// Name returns the region's name, with the vertex for near-vertex regions.
func (e RegionError) Name() string {
	if e.Kind == RegionNearVertex {
		return fmt.Sprintf("%s %d", e.Kind, e.Vertex)
	}
	return string(e.Kind)
}

// Report is the error of a conditional expectation against the exact
// oracle, region by region (CompareOracle).
type Report struct {
	Regions []RegionError `json:"regions"`
	// Identity is rms(Σ_k α_k ĝ_k − x)/rms(x) over all points of all
	// regions: 0 for the oracle and for projected heads.
	Identity float64 `json:"identity"`
	// Worst is the largest RelErr of any region.
	Worst float64 `json:"worst"`
}

// ReportSettings configures CompareOracle. A zero field means the
// documented default.
type ReportSettings struct {
	// Points is the number of draws x ~ ρ(α) per α; default 2000.
	Points int
	// Interior and Faces are the numbers of random α in the interior
	// (Dirichlet(1)) and on the 2-faces (Dirichlet(1) on a random face);
	// default 12 each.
	Interior, Faces int
	// Seed fixes every draw (α of the random regions and the points x).
	Seed uint64
}

func (s ReportSettings) withDefaults() ReportSettings {
	if s.Points == 0 {
		s.Points = 2000
	}
	if s.Interior == 0 {
		s.Interior = 12
	}
	if s.Faces == 0 {
		s.Faces = 12
	}
	return s
}

// reportEdgeT are the positions t of α = (1−t) e_i + t e_j measured on
// each edge; the ends (t < 0.15, t > 0.85) belong to the near-vertex
// regions.
var reportEdgeT = []float64{0.15, 0.3, 0.5, 0.7, 0.85}

// reportVertexEps are the distances ε of α = (1−ε) e_k + ε u from the
// vertex e_k in the near-vertex regions, u another vertex or a Dirichlet(1)
// point of the whole simplex.
var reportVertexEps = []float64{0.02, 0.05, 0.1}

// CompareOracle measures model against the exact oracle, in the oracle's
// coordinates: the points x are drawn from the interpolant of N(0, I) and
// the oracle's mixtures under the oracle's coupling (Exact.Joint). A Model works in normalized coordinates, so the
// oracle for it is that of NormalizeMixtures(mix, m.Normalization()).
//
// Regions (K data marginals, K+1 vertices): the K Gaussian–data edges
// e_0–e_k and the K(K−1)/2 data–data edges at t ∈ {0.15, 0.3, 0.5, 0.7,
// 0.85}; Faces random points of the 2-faces (K ≥ 2); Interior random
// points of the whole simplex (K ≥ 2; for K = 1 the simplex is one edge);
// and near each vertex e_k the points (1−ε)e_k + ε u for ε ∈ {0.02, 0.05,
// 0.1} and u each other vertex or one Dirichlet(1) point (K ≥ 2).
func CompareOracle(model cond.Conditional, oracle Exact, set ReportSettings) (*Report, error) {
	if model == nil || oracle == nil {
		return nil, errors.New("gk: CompareOracle needs a model and an oracle")
	}
	kk, d := oracle.Sizes()
	if mk, md := model.Sizes(); mk != kk || md != d {
		return nil, fmt.Errorf("gk: model has %d marginals of dimension %d, oracle %d of dimension %d", mk, md, kk, d)
	}
	set = set.withDefaults()
	if set.Points < 2 || set.Interior < 0 || set.Faces < 0 {
		return nil, fmt.Errorf("gk: report needs at least 2 points per α, got %d", set.Points)
	}
	c := oracle.Joint()
	ra := rand.New(rand.NewPCG(set.Seed, 0x7265_01))
	rx := rand.New(rand.NewPCG(set.Seed, 0x7265_02))
	w := newReportWork(kk, d, set.Points)
	rep := &Report{}
	var idNum, idDen float64
	add := func(kind RegionKind, vertex int, alphas [][]float64) {
		if len(alphas) == 0 {
			return
		}
		e := RegionError{Kind: kind, Vertex: vertex, Alphas: len(alphas), Heads: make([]float64, kk)}
		var num, den float64
		for _, a := range alphas {
			r, in, id := w.measure(model, oracle, c, a, rx)
			e.RelErr += r / float64(len(alphas))
			for k, h := range w.heads {
				e.Heads[k] += h / float64(len(alphas))
			}
			e.MaxRelErr = max(e.MaxRelErr, r)
			num += id
			den += in
		}
		e.Identity = math.Sqrt(num / den)
		idNum += num
		idDen += den
		rep.Worst = max(rep.Worst, e.RelErr)
		rep.Regions = append(rep.Regions, e)
	}
	var gaussData, dataData [][]float64
	for i := 0; i < kk; i++ {
		for j := i + 1; j < kk; j++ {
			for _, t := range reportEdgeT {
				a := make([]float64, kk)
				a[i], a[j] = 1-t, t
				if i == 0 {
					gaussData = append(gaussData, a)
				} else {
					dataData = append(dataData, a)
				}
			}
		}
	}
	add(RegionGaussDataEdges, -1, gaussData)
	add(RegionDataDataEdges, -1, dataData)
	if kk >= 3 {
		var faces, interior [][]float64
		for range set.Faces {
			faces = append(faces, reportFacePoint(kk, ra))
		}
		for range set.Interior {
			interior = append(interior, reportDirichlet(kk, ra))
		}
		if kk > 3 { // for K = 2 the only 2-face is the whole simplex
			add(RegionFaces, -1, faces)
		}
		add(RegionInterior, -1, interior)
	}
	for k := 0; k < kk; k++ {
		var near [][]float64
		for _, eps := range reportVertexEps {
			var dirs [][]float64
			for j := 0; j < kk; j++ {
				if j != k {
					u := make([]float64, kk)
					u[j] = 1
					dirs = append(dirs, u)
				}
			}
			if kk >= 3 {
				dirs = append(dirs, reportDirichlet(kk, ra))
			}
			for _, u := range dirs {
				a := make([]float64, kk)
				for j := range a {
					a[j] = eps * u[j]
				}
				a[k] += 1 - eps
				near = append(near, a)
			}
		}
		add(RegionNearVertex, k, near)
	}
	rep.Identity = math.Sqrt(idNum / idDen)
	return rep, nil
}

// reportWork holds the buffers of one measurement.
type reportWork struct {
	xs     [][]float64
	x      []float64
	gm, gt [][]float64
	mean   []float64
	heads  []float64 // each head's share of the last relative error
}

func newReportWork(kk, d, n int) *reportWork {
	w := &reportWork{x: make([]float64, n*d), mean: make([]float64, d), heads: make([]float64, kk)}
	w.xs, w.gm, w.gt = make([][]float64, kk), make([][]float64, kk), make([][]float64, kk)
	for k := range w.xs {
		w.xs[k] = make([]float64, n*d)
		w.gm[k] = make([]float64, n*d)
		w.gt[k] = make([]float64, n*d)
	}
	return w
}

// measure draws x(α) from c and returns the relative error of model
// against truth at alpha (relativeErrorHeads, whose split by head it leaves
// in w.heads), and the sums Σ|x|² and Σ|Σ_k α_k ĝ_k − x|² over the points.
func (w *reportWork) measure(model, truth cond.Conditional, c marginals.Coupling, alpha []float64, r *rand.Rand) (rel, xsq, idsq float64) {
	c.Sample(w.xs, r)
	clear(w.x)
	for k, a := range alpha {
		for i, v := range w.xs[k] {
			w.x[i] += a * v
		}
	}
	model.Eval(w.gm, alpha, w.x)
	truth.Eval(w.gt, alpha, w.x)
	for i, xi := range w.x {
		s := -xi
		for k, a := range alpha {
			s += a * w.gm[k][i]
		}
		idsq += s * s
		xsq += xi * xi
	}
	return relativeErrorHeads(w.heads, w.gm, w.gt, w.mean), xsq, idsq
}

// relativeErrorHeads returns Σ_k Σ_i |gm_k − gt_k|² / Σ_k Σ_i |gt_k −
// mean(gt_k)|² for K+1 batches of rows of len(mean) numbers (mean is
// scratch), NaN if the truth is constant, and writes into heads[k] the
// term of head k, Σ_i |gm_k − gt_k|² over the same denominator.
func relativeErrorHeads(heads []float64, gm, gt [][]float64, mean []float64) float64 {
	d := len(mean)
	var den float64
	for k := range gt {
		n := len(gt[k]) / d
		clear(mean)
		for i, v := range gt[k] {
			mean[i%d] += v / float64(n)
		}
		heads[k] = 0
		for i, v := range gt[k] {
			e := gm[k][i] - v
			heads[k] += e * e
			f := v - mean[i%d]
			den += f * f
		}
	}
	num := 0.0
	for k := range heads {
		num += heads[k]
		heads[k] /= den
	}
	if den == 0 {
		for k := range heads {
			heads[k] = math.NaN()
		}
		return math.NaN()
	}
	return num / den
}

// reportDirichlet draws a Dirichlet(1) point of Δ^{n−1}.
func reportDirichlet(n int, r *rand.Rand) []float64 {
	a := make([]float64, n)
	s := 0.0
	for k := range a {
		a[k] = r.ExpFloat64()
		s += a[k]
	}
	for k := range a {
		a[k] /= s
	}
	return a
}

// reportFacePoint draws a Dirichlet(1) point of a uniformly chosen 2-face
// (three vertices) of Δ^{n−1}, n ≥ 3.
func reportFacePoint(n int, r *rand.Rand) []float64 {
	a := make([]float64, n)
	p := r.Perm(n)[:3]
	s := 0.0
	for _, k := range p {
		a[k] = r.ExpFloat64()
		s += a[k]
	}
	for _, k := range p {
		a[k] /= s
	}
	return a
}

// NormalizeMixtures returns the mixtures mapped by x' = (x − c)/s: means
// (μ − c)/s, covariances Σ/s². An affine image of a mixture is a mixture,
// so the exact oracle of the result is the truth for a Model with
// normalization a (its coordinates; see Model).
func NormalizeMixtures(mix []*marginals.Mixture, a Affine) ([]*marginals.Mixture, error) {
	s := a.scale()
	out := make([]*marginals.Mixture, 0, len(mix))
	for k, m := range mix {
		if m == nil || m.Len() == 0 {
			return nil, fmt.Errorf("gk: mixture %d is missing (nil, or not made by marginals.NewMixture)", k+1)
		}
		if a.Center != nil && len(a.Center) != m.Dim() {
			return nil, fmt.Errorf("gk: mixture %d has dimension %d, normalization %d", k+1, m.Dim(), len(a.Center))
		}
		comps := make([]*marginals.Gaussian, 0, m.Len())
		for j, g := range m.Components() {
			mu := g.Mean()
			a.Normalize(mu)
			cov := mat.NewSymDense(len(mu), nil)
			cov.ScaleSym(1/(s*s), g.Cov())
			ng, err := marginals.NewGaussian(mu, cov)
			if err != nil {
				return nil, fmt.Errorf("gk: mixture %d: component %d: %w", k+1, j, err)
			}
			comps = append(comps, ng)
		}
		nm, err := marginals.NewMixture(m.Weights(), comps)
		if err != nil {
			return nil, fmt.Errorf("gk: mixture %d: %w", k+1, err)
		}
		out = append(out, nm)
	}
	return out, nil
}
