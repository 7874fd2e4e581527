package generate

import (
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/mmi-go/mmi/cond"
	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/simplex"
)

// Guidance is class guidance on the edge from the Gaussian to a data
// marginal j, the multimarginal form of classifier-free guidance. On the
// edge α(t) = (1 − t)e_0 + t e_j the flow's velocity is
// (D_j(t, x) − x)/(1 − t), with D_j = g_j the estimate of the end sample.
// Guidance replaces D_j, for t in [From, To], by
//
//	D = D_j + W·(D_j − Σ_k π_k D_k),  D_k = g_k((1 − t)e_0 + t e_k, x),
//
// pushing away from what the data marginals together would make of x:
// Σ_k π_k D_k is the estimate under their equal mixture, with weights
// π_k ∝ exp(−|ẑ_k|²/2) from the noise head ẑ_k = g_0 on marginal k's
// edge, the noise that marginal k needs to explain x. They are the exact
// posterior of k when the marginals are point masses, and uniform (the
// prior) as t → 0; a point that one marginal explains far better than the
// others is left almost unguided, an ambiguous one is pushed toward j.
// The result is clamped into the data's box if the model has one, and the
// Gaussian head follows from the constraint (α_0 g_0 + t D = x), so the
// stochastic generator's score is guided alike.
//
// The flow then no longer carries ρ_j: it sharpens it toward where ρ_j
// stands out from the other marginals (an image is read as its class more
// often), at the cost of K − 1 more evaluations of the model per step
// inside [From, To]. W = 0 is no guidance. A run with guidance needs a
// path along such an edge and a model of at least two data marginals; it
// cannot compute likelihoods or coupled barycenters or hold values.
type Guidance struct {
	W        float64
	From, To float64
}

// ImageGuidance is the guidance mmi applies by default from noise to a
// marginal of images (chosen by measurement on six MNIST classes,
// docs/images.md).
var ImageGuidance = Guidance{W: 1, From: 0.15, To: 0.35}

// On reports whether gd guides at all.
func (gd Guidance) On() bool { return gd.W != 0 }

// String formats gd as ParseGuidance reads it.
func (gd Guidance) String() string {
	if !gd.On() {
		return "0"
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	return f(gd.W) + ":" + f(gd.From) + ":" + f(gd.To)
}

// ParseGuidance reads "W" (guidance W on the whole edge) or "W:FROM:TO"
// (only for t in [FROM, TO]); "0" is no guidance.
func ParseGuidance(s string) (Guidance, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 1 && len(parts) != 3 {
		return Guidance{}, settingErr("guidance", "{guidance} %q: want W or W:FROM:TO", s)
	}
	v := make([]float64, len(parts))
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return Guidance{}, settingErr("guidance", "{guidance} %q: %q is not a number", s, p)
		}
		v[i] = f
	}
	gd := Guidance{W: v[0], From: 0, To: 1}
	if len(v) == 3 {
		gd.From, gd.To = v[1], v[2]
	}
	if !gd.On() {
		return Guidance{}, nil
	}
	return gd, gd.validate()
}

func (gd Guidance) validate() error {
	if !gd.On() {
		return nil
	}
	if !(gd.W > 0) || math.IsInf(gd.W, 0) {
		return settingErr("guidance", "{guidance} weight must be finite and ≥ 0, got %v", gd.W)
	}
	if !(gd.From >= 0 && gd.From < gd.To && gd.To <= 1) {
		return settingErr("guidance", "{guidance} interval [%v, %v] must satisfy 0 ≤ FROM < TO ≤ 1", gd.From, gd.To)
	}
	return nil
}

// guidanceEnd checks the guidance of o for a run along p and returns the
// data vertex j the path's edge leads to, or 0 when o asks for none.
func (g *Generator) guidanceEnd(p path.Path, o *Options) (int, error) {
	if o == nil || !o.Guidance.On() {
		return 0, nil
	}
	if err := o.Guidance.validate(); err != nil {
		return 0, err
	}
	if o.Keep != nil {
		return 0, settingErr("guidance", "{guidance} changes the flow; it cannot hold kept values")
	}
	k1, _ := g.Sizes()
	if k1 < 3 {
		return 0, settingErr("guidance", "{guidance} contrasts the data marginals with each other; the model has only one")
	}
	a0, a1 := ends(p)
	j := simplex.VertexIndex(a1)
	if !AtNoise(a0) || j < 1 || !onEdge(p, j) {
		return 0, settingErr("guidance", "{guidance} acts on the edge from the Gaussian to a data marginal; the path must be that edge")
	}
	return j, nil
}

// onEdge reports whether α_k = 0 for every k other than 0 and j along p
// (at probeTimes).
func onEdge(p path.Path, j int) bool {
	a := make([]float64, p.Len())
	for _, t := range probeTimes(p) {
		p.Alpha(a, t)
		for k, v := range a {
			if k != 0 && k != j && v != 0 {
				return false
			}
		}
	}
	return true
}

// guided is a conditional expectation with Guidance applied on the
// Gaussian–data edges; elsewhere it is the model's.
type guided struct {
	g  cond.Conditional
	gd Guidance
	// lo, hi: the data's box in model coordinates, or nil.
	lo, hi []float64
	// scratch holds *guideScratch.
	scratch sync.Pool
}

// guideScratch holds, for a block of rows, what the other edges give:
// the data head d[k] and the noise head z[k] of each data marginal k at
// the same t, and the heads of one evaluation.
type guideScratch struct {
	d, z, heads [][]float64
	alpha, e    []float64
}

func newGuided(g cond.Conditional, gd Guidance, lo, hi []float64) *guided {
	return &guided{g: g, gd: gd, lo: lo, hi: hi}
}

func (c *guided) Sizes() (int, int) { return c.g.Sizes() }

// Domain is the model's.
func (c *guided) Domain() simplex.Domain { return cond.DomainOf(c.g) }

// Eval writes the model's heads at α and x, guided where α is on a
// Gaussian–data edge with t = α_j in [From, To].
func (c *guided) Eval(g [][]float64, alpha, x []float64) {
	c.g.Eval(g, alpha, x)
	j, t := edgeOf(alpha)
	if j < 1 || t < c.gd.From || t > c.gd.To {
		return
	}
	k1, dim := c.g.Sizes()
	s := c.get(k1, len(x))
	defer c.scratch.Put(s)
	for k := 1; k < k1; k++ {
		if k == j {
			copy(s.d[k], g[j])
			copy(s.z[k], g[0])
			continue
		}
		clear(s.alpha)
		s.alpha[0], s.alpha[k] = alpha[0], t
		c.g.Eval(s.heads, s.alpha, x)
		copy(s.d[k], s.heads[k])
		copy(s.z[k], s.heads[0])
	}
	for lo := 0; lo < len(x); lo += dim {
		c.guideRow(g, s, x, lo, lo+dim, j, t, alpha[0])
	}
}

// guideRow guides the row x[lo:hi]: the data marginals' estimates
// averaged with the posterior weights of posterior, D = D_j + W(D_j −
// Σ_k π_k D_k), clamped into the data's box; the noise head from the
// constraint α_0 g_0 + t D = x.
func (c *guided) guideRow(g [][]float64, s *guideScratch, x []float64, lo, hi, j int, t, a0 float64) {
	posterior(s.e, s.z, lo, hi)
	w := c.gd.W
	for i := lo; i < hi; i++ {
		m := 0.0
		for k := 1; k < len(s.e); k++ {
			m += s.e[k] * s.d[k][i]
		}
		d := s.d[j][i] + w*(s.d[j][i]-m)
		if c.lo != nil {
			col := i - lo
			d = min(max(d, c.lo[col]), c.hi[col])
		}
		g[j][i] = d
		g[0][i] = (x[i] - t*d) / a0
	}
}

// posterior writes into e[1:] the weights π_k ∝ exp(−|ẑ_k|²/2) of the
// data marginals for the row lo…hi, ẑ_k = z[k][lo:hi] the noise each
// marginal's estimate needs to explain it (see Guidance).
func posterior(e []float64, z [][]float64, lo, hi int) {
	top := math.Inf(-1)
	for k := 1; k < len(e); k++ {
		q := 0.0
		for _, v := range z[k][lo:hi] {
			q += v * v
		}
		e[k] = -q / 2
		top = max(top, e[k])
	}
	sum := 0.0
	for k := 1; k < len(e); k++ {
		e[k] = math.Exp(e[k] - top)
		sum += e[k]
	}
	for k := 1; k < len(e); k++ {
		e[k] /= sum
	}
}

// edgeOf returns j and t = α_j when α is inside the edge from e_0 to the
// data vertex e_j, or j = −1.
func edgeOf(alpha []float64) (j int, t float64) {
	if !(alpha[0] > 0) {
		return -1, 0
	}
	j = -1
	for k := 1; k < len(alpha); k++ {
		if alpha[k] != 0 {
			if j > 0 {
				return -1, 0
			}
			j = k
		}
	}
	if j < 0 {
		return -1, 0
	}
	return j, alpha[j]
}

// get returns scratch for a block of n numbers on k1 marginals.
func (c *guided) get(k1, n int) *guideScratch {
	s, _ := c.scratch.Get().(*guideScratch)
	if s == nil {
		s = &guideScratch{d: make([][]float64, k1), z: make([][]float64, k1), heads: make([][]float64, k1),
			alpha: make([]float64, k1), e: make([]float64, k1)}
	}
	for _, b := range [][][]float64{s.d, s.z, s.heads} {
		for k := range b {
			if cap(b[k]) < n {
				b[k] = make([]float64, n)
			}
			b[k] = b[k][:n]
		}
	}
	return s
}

// conditional returns the conditional expectations a run of o along p
// integrates: the model's, or guided ones (o.Guidance, checked).
func (g *Generator) conditional(p path.Path, o *Options) (cond.Conditional, error) {
	j, err := g.guidanceEnd(p, o)
	if err != nil || j == 0 {
		return g.g, err
	}
	return newGuided(g.g, o.Guidance, g.lo, g.hi), nil
}

// DefaultGuidance returns the guidance mmi applies by default along p:
// ImageGuidance on the edge from the Gaussian to a marginal of images of
// a model with several data marginals, none otherwise.
func (g *Generator) DefaultGuidance(p path.Path) Guidance {
	if g.image == nil {
		return Guidance{}
	}
	if _, err := g.guidanceEnd(p, &Options{Guidance: ImageGuidance}); err != nil {
		return Guidance{}
	}
	return ImageGuidance
}
