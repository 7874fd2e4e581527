package generate

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/mmi-go/mmi/cond"
	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/simplex"
)

// Options are the settings of an integration; nil means the defaults.
type Options struct {
	// Solver integrates the probability flow; nil means path.Dopri5{}
	// (tolerances 1e-5).
	Solver path.Solver
	// SDE, when not nil, integrates the stochastic generator instead
	// (path.IntegrateSDE) with the noise schedule Eps (nil means
	// path.EpsAlpha0(1), which vanishes off the Gaussian).
	SDE path.SDESolver
	Eps path.Diffusion
	// Workers as in path.Options: goroutines sharing each evaluation;
	// results do not depend on it.
	Workers int
	// Trajectory, when not nil, records the chosen rows (see
	// path.Trajectory), returned in data coordinates throughout, noise
	// included, so that the recorded lines are continuous.
	Trajectory *path.Trajectory
	// Keep, when not nil, has one entry per coordinate: true for those
	// that Transport holds at the starting rows' values (the pixels an
	// in-painting keeps; path.Hold says how, also on a path that leaves
	// the data face). The path must start and end on the data face
	// (α_0 = 0); the kept values come back unchanged, bit for bit.
	Keep []bool
	// Denoise τ, 0 ≤ τ < 1, ends the integration at t = 1 − τ and returns,
	// for each row X, the model's estimate of the sample of the path's end
	// vertex j there: g_j(α(1 − τ), X) = E[x_j | x(α(1 − τ)) = X] (the path
	// must end at a data marginal). It is a last denoising step, as
	// diffusion samplers end with the posterior mean: a flow that has not
	// quite reached the sharp features of ρ_j (the edges of the
	// checkerboard's squares, thin modes) is read out where the model
	// knows them, at the cost of replacing each row by a conditional mean
	// (the law contracts by E Cov(x_j | x) at α(1 − τ), which is small for
	// small τ). 0: the flow itself.
	Denoise float64
	// Guidance, when on, guides the flow from the Gaussian to a data
	// marginal toward where that marginal stands out from the others
	// (see Guidance): the path must be that edge.
	Guidance Guidance
}

func (o *Options) denoise() float64 {
	if o == nil {
		return 0
	}
	return o.Denoise
}

// errFlowOnly refuses a denoising step where the result must be the
// flow's own: a likelihood, the coupled samples of every marginal.
var errFlowOnly = settingErr("denoise", "{denoise} replaces the flow's end rows; a likelihood and a coupled barycenter take the flow itself")

// errModelOnly refuses guidance where the run must follow the model's
// own flow.
var errModelOnly = settingErr("guidance", "{guidance} changes the flow; a likelihood and a coupled barycenter take the model's own")

// flowOnly returns errFlowOnly if o asks for a denoising step, and
// errModelOnly if it asks for guidance.
func (o *Options) flowOnly() error {
	if o.denoise() != 0 {
		return errFlowOnly
	}
	if o != nil && o.Guidance.On() {
		return errModelOnly
	}
	return nil
}

func (o *Options) solver() path.Solver {
	if o == nil || o.Solver == nil {
		return path.Dopri5{}
	}
	return o.Solver
}

func (o *Options) pathOptions() *path.Options {
	if o == nil {
		return nil
	}
	return &path.Options{Workers: o.Workers, Trajectory: o.Trajectory}
}

// AtNoise reports whether α is the Gaussian vertex e_0, where samples are
// exchanged as standard-normal noise rather than in data coordinates.
func AtNoise(alpha []float64) bool { return simplex.IsVertex(alpha, 0) }

// ends returns α(0) and α(1) of p.
func ends(p path.Path) (a0, a1 []float64) {
	a0, a1 = make([]float64, p.Len()), make([]float64, p.Len())
	p.Alpha(a0, 0)
	p.Alpha(a1, 1)
	return a0, a1
}

// StartVertex returns k if p starts at the vertex e_k, or −1.
func StartVertex(p path.Path) int {
	a0, _ := ends(p)
	return simplex.VertexIndex(a0)
}

// velocity checks p against the conditional expectations c.
func velocity(c cond.Conditional, p path.Path) (*path.Velocity, error) {
	v, err := path.NewVelocity(c, p)
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	return v, nil
}

func (g *Generator) checkBatch(x []float64) error {
	_, d := g.Sizes()
	if len(x) == 0 || len(x)%d != 0 {
		return fmt.Errorf("generate: %d numbers are not a batch of %d-dimensional samples", len(x), d)
	}
	return nil
}

// Transport pushes the batch x (n rows of d numbers, samples of ρ(α(0)))
// in place along p, so that on return the rows are samples of ρ(α(1)):
// the probability flow dX/dt = Σ_k α̇_k g_k(α(t), X) with o.Solver, or the
// stochastic generator with o.SDE (whose noise comes from r; r may be nil
// otherwise). x is read and written in data coordinates, except at the
// Gaussian vertex e_0 (see the package comment): noise in, noise out.
//
// A transfer from data marginal i to j is Transport along
// Polyline(K+1, i, j) of samples of i; generation from noise is Transport
// of noise along Polyline(K+1, 0, j). With o.Denoise the integration stops
// at 1 − τ and the rows are the model's estimates of the end samples
// there (Options.Denoise); with o.Guidance the flow from noise is guided
// (Guidance). After an error (a cancelled context,
// a solver that gave up) the content of x is unspecified.
func (g *Generator) Transport(ctx context.Context, x []float64, p path.Path, r *rand.Rand, o *Options) (path.Stats, error) {
	if err := g.checkBatch(x); err != nil {
		return path.Stats{}, err
	}
	end, err := g.denoiseEnd(p, o)
	if err != nil {
		return path.Stats{}, err
	}
	c, err := g.conditional(p, o)
	if err != nil {
		return path.Stats{}, err
	}
	p, err = path.Truncate(p, 1-o.denoise())
	if err != nil {
		return path.Stats{}, fmt.Errorf("generate: %w", err)
	}
	v, err := velocity(c, p)
	if err != nil {
		return path.Stats{}, err
	}
	a0, a1 := ends(p)
	var keep []float64
	if o != nil && o.Keep != nil {
		if keep, err = g.hold(x, p, r, o); err != nil {
			return path.Stats{}, err
		}
	}
	if !AtNoise(a0) {
		g.ToModel(x)
	}
	po := o.pathOptions()
	if keep != nil {
		po.Hold = &path.Hold{Mask: o.Keep, Value: append([]float64(nil), x...)}
		if leavesFace(p) {
			po.Hold.Noise = make([]float64, len(x))
			for i := range po.Hold.Noise {
				po.Hold.Noise[i] = r.NormFloat64()
			}
		}
	}
	var st path.Stats
	if o != nil && o.SDE != nil {
		if r == nil {
			return st, errors.New("generate: the stochastic generator needs a random source")
		}
		eps := o.Eps
		if eps == nil {
			eps = path.EpsAlpha0(1)
		}
		st, err = path.IntegrateSDE(ctx, v, x, eps, o.SDE, r, po)
	} else {
		st, err = path.Integrate(ctx, v, x, o.solver(), po)
	}
	if err != nil {
		return st, err
	}
	if end > 0 {
		g.readOut(c, x, a1, end)
	}
	if !AtNoise(a1) {
		g.ToData(x)
	}
	// The normalization's round trip may change the last bit.
	for i, v := range keep {
		if o.Keep[i%len(o.Keep)] {
			x[i] = v
		}
	}
	g.trajectoryToData(o)
	return st, nil
}

// denoiseEnd returns the data vertex j that Options.Denoise reads out at
// the end of p, or 0 when o asks for no denoising step.
func (g *Generator) denoiseEnd(p path.Path, o *Options) (int, error) {
	tau := o.denoise()
	if tau == 0 {
		return 0, nil
	}
	if !(tau > 0 && tau < 1) {
		return 0, settingErr("denoise", "{denoise} must be in [0, 1), got %v", tau)
	}
	if o.Keep != nil {
		return 0, settingErr("denoise", "{denoise} replaces every value; it cannot hold kept values")
	}
	_, a1 := ends(p)
	j := simplex.VertexIndex(a1)
	if j < 1 {
		return 0, settingErr("denoise", "{denoise} reads out the marginal at the path's end; the path must end at a data marginal")
	}
	return j, nil
}

// readOutRows is how many rows readOut evaluates at once: (K+1)·d numbers
// a row of scratch, bounded for large images.
const readOutRows = 256

// readOut replaces each row of x (model coordinates) by g_j(α, x) of c.
func (g *Generator) readOut(c cond.Conditional, x, alpha []float64, j int) {
	k1, d := g.Sizes()
	rows := min(len(x)/d, readOutRows)
	buf, gs := make([][]float64, k1), make([][]float64, k1)
	for k := range buf {
		buf[k] = make([]float64, rows*d)
	}
	for lo := 0; lo < len(x); lo += rows * d {
		xs := x[lo:min(lo+rows*d, len(x))]
		for k := range gs {
			gs[k] = buf[k][:len(xs)]
		}
		c.Eval(gs, alpha, xs)
		copy(xs, gs[j])
	}
}

// hold checks the Keep of o for Transport of x along p and returns the
// starting rows (data coordinates), whose kept values Transport restores.
func (g *Generator) hold(x []float64, p path.Path, r *rand.Rand, o *Options) ([]float64, error) {
	_, d := g.Sizes()
	if len(o.Keep) != d {
		return nil, fmt.Errorf("generate: a mask of %d values to keep for samples of dimension %d", len(o.Keep), d)
	}
	a0, a1 := ends(p)
	if a0[0] != 0 || a1[0] != 0 {
		return nil, errors.New("generate: kept values need a path that starts and ends on data marginals")
	}
	if r == nil && leavesFace(p) {
		return nil, errors.New("generate: kept values on a path through the Gaussian need a random source")
	}
	return append([]float64(nil), x...), nil
}

// leavesFace reports whether α_0 > 0 somewhere on p (at probeTimes).
func leavesFace(p path.Path) bool {
	a := make([]float64, p.Len())
	for _, t := range probeTimes(p) {
		if p.Alpha(a, t); a[0] > 0 {
			return true
		}
	}
	return false
}

// probeTimes are the times at which a path is checked for where it
// goes: a grid of 1000 steps and the breaks of a piecewise path.
func probeTimes(p path.Path) []float64 {
	ts := make([]float64, 0, 1001)
	for i := 0; i <= 1000; i++ {
		ts = append(ts, float64(i)/1000)
	}
	if pw, ok := p.(path.Piecewise); ok {
		ts = append(ts, pw.Breaks()...)
	}
	return ts
}

// trajectoryToData maps the recorded trajectory to data coordinates.
func (g *Generator) trajectoryToData(o *Options) {
	if o == nil || o.Trajectory == nil {
		return
	}
	for _, xs := range o.Trajectory.X {
		g.ToData(xs)
	}
}

// Sample generates n samples of marginal k from fresh noise (drawn from r)
// along the straight edge e_0 → e_k, in data coordinates. k = 0 returns
// the noise itself.
func (g *Generator) Sample(ctx context.Context, k, n int, r *rand.Rand, o *Options) ([]float64, path.Stats, error) {
	k1, _ := g.Sizes()
	if k < 0 || k >= k1 {
		return nil, path.Stats{}, fmt.Errorf("generate: marginal %d is out of range: the model has marginals 0 (Gaussian) … %d", k, k1-1)
	}
	return g.Law(ctx, simplex.Vertex(k1, k), n, r, o)
}

// Law samples the law ρ(α*) of the interpolant Σ_k α*_k x_k at a point α*
// of the simplex: n noise rows pushed along the straight line e_0 → α*.
// With α*_0 = 0 it is the barycenter law of the data marginals under the
// coupling the model was trained on (independent: Σ_k α*_k x_k with
// independent x_k; OT with equal weights: the Wasserstein barycenter).
func (g *Generator) Law(ctx context.Context, alpha []float64, n int, r *rand.Rand, o *Options) ([]float64, path.Stats, error) {
	k1, _ := g.Sizes()
	if len(alpha) != k1 {
		return nil, path.Stats{}, fmt.Errorf("generate: α has %d coordinates, the model %d marginals", len(alpha), k1)
	}
	if err := simplex.Validate(alpha); err != nil {
		return nil, path.Stats{}, fmt.Errorf("generate: %w", err)
	}
	if n < 1 {
		return nil, path.Stats{}, fmt.Errorf("generate: %d samples", n)
	}
	z, _ := g.Draw(0, n, r)
	if AtNoise(alpha) {
		return z, path.Stats{}, nil
	}
	p, err := path.Segment(simplex.Vertex(k1, 0), alpha)
	if err != nil {
		return nil, path.Stats{}, fmt.Errorf("generate: %w", err)
	}
	st, err := g.Transport(ctx, z, p, r, o)
	return z, st, err
}

// SampleAll pushes one batch of noise z (n rows, standard normal) to
// every data marginal at once along the edges e_0 → e_k (path.SampleAll):
// out[k][i], k = 1 … K, all come from noise row i, in data coordinates;
// out[0] is a copy of z. z is not modified. o.SDE and o.Trajectory are
// not used.
func (g *Generator) SampleAll(ctx context.Context, z []float64, o *Options) ([][]float64, path.Stats, error) {
	if err := o.flowOnly(); err != nil {
		return nil, path.Stats{}, err
	}
	if err := g.checkBatch(z); err != nil {
		return nil, path.Stats{}, err
	}
	var po *path.Options
	if o != nil {
		po = &path.Options{Workers: o.Workers}
	}
	out, st, err := path.SampleAll(ctx, g.g, z, o.solver(), po)
	if err != nil {
		return nil, st, err
	}
	for k := 1; k < len(out); k++ {
		g.ToData(out[k])
	}
	return out, st, nil
}

// TransportLogLikelihood pushes noise z (rows ~ N(0, I)) in place along p,
// which must start at e_0, and returns with each sample its log density
// log ρ(α(1), X(1)) in data units (model log density plus LogScale, unless
// the path ends at e_0). The divergence is exact for d ≤ 32 and
// Hutchinson's estimate otherwise, with probes from r. Needs a model that
// implements cond.VJPer (both the network and the oracle do).
func (g *Generator) TransportLogLikelihood(ctx context.Context, z []float64, p path.Path, r *rand.Rand, o *Options) ([]float64, path.Stats, error) {
	if err := o.flowOnly(); err != nil {
		return nil, path.Stats{}, err
	}
	if err := g.checkBatch(z); err != nil {
		return nil, path.Stats{}, err
	}
	a0, a1 := ends(p)
	if !AtNoise(a0) {
		return nil, path.Stats{}, errors.New("generate: a likelihood needs a path that starts at the Gaussian (marginal 0)")
	}
	v, err := velocity(g.g, p)
	if err != nil {
		return nil, path.Stats{}, err
	}
	var lo *path.LikelihoodOptions
	if po := o.pathOptions(); po != nil {
		lo = &path.LikelihoodOptions{Options: *po}
	}
	ll, st, err := path.LogLikelihood(ctx, v, z, nil, o.solver(), r, lo)
	if err != nil {
		return nil, st, err
	}
	if !AtNoise(a1) {
		g.ToData(z)
		for i := range ll {
			ll[i] += g.LogScale()
		}
	}
	g.trajectoryToData(o)
	return ll, st, nil
}

// LogLikelihood returns log ρ_k(y_i) in data units for every row y_i of y
// (data coordinates; noise for k = 0) under the model: the flow from e_k
// back to e_0 (path.MarginalLogLikelihood). y is not modified.
func (g *Generator) LogLikelihood(ctx context.Context, y []float64, k int, r *rand.Rand, o *Options) ([]float64, path.Stats, error) {
	if err := o.flowOnly(); err != nil {
		return nil, path.Stats{}, err
	}
	if err := g.checkBatch(y); err != nil {
		return nil, path.Stats{}, err
	}
	k1, _ := g.Sizes()
	if k < 0 || k >= k1 {
		return nil, path.Stats{}, fmt.Errorf("generate: marginal %d is out of range", k)
	}
	x := append([]float64(nil), y...)
	if k != 0 {
		g.ToModel(x)
	}
	var lo *path.LikelihoodOptions
	if o != nil {
		lo = &path.LikelihoodOptions{Options: path.Options{Workers: o.Workers}}
	}
	ll, st, err := path.MarginalLogLikelihood(ctx, g.g, x, k, o.solver(), r, lo)
	if err != nil {
		return nil, st, err
	}
	if k != 0 {
		for i := range ll {
			ll[i] += g.LogScale()
		}
	}
	return ll, st, nil
}

// Polyline returns the path on Δ^K (k1 = K+1 marginals) through the
// vertices of the given marginals, in order, each segment taking an equal
// share of time: Polyline(k1, i, j) is the straight edge e_i → e_j,
// Polyline(k1, 1, 2, 3) goes from marginal 1 to 3 through 2.
func Polyline(k1 int, stops ...int) (path.Path, error) {
	if len(stops) < 2 {
		return nil, fmt.Errorf("generate: a path needs at least two marginals, got %d", len(stops))
	}
	if err := CheckStops(k1, stops...); err != nil {
		return nil, err
	}
	pts := make([][]float64, len(stops))
	for i, s := range stops {
		pts[i] = simplex.Vertex(k1, s)
	}
	return path.Polyline(pts...)
}

// Detour returns the path on Δ^K (k1 = K+1 marginals) from e_from to e_to
// through the point (1−w)·e_from + w·c, c the centre of the data vertices
// (1/K on each of e_1 … e_K), each of its two segments taking half the
// time. With w = 0 it would be the straight edge; a small w leaves the
// start along a line into the interior, where the mixture ν draws most of
// the training α, instead of along the edge. For image models a detour
// of w = 0.15 from the Gaussian lowers the Fréchet ratio of noise → class
// (docs/images.md). w must lie in (0, 1) and from ≠ to.
func Detour(k1, from, to int, w float64) (path.Path, error) {
	if err := CheckStops(k1, from, to); err != nil { // also k1 ≥ 2: from ≠ to
		return nil, err
	}
	if !(w > 0 && w < 1) {
		return nil, fmt.Errorf("generate: a detour's weight toward the centre must lie in (0, 1), got %g", w)
	}
	mid := make([]float64, k1)
	for k := 1; k < k1; k++ {
		mid[k] = w / float64(k1-1)
	}
	mid[from] += 1 - w
	return path.Polyline(simplex.Vertex(k1, from), mid, simplex.Vertex(k1, to))
}

// CheckStops checks a route through the vertices of the given marginals
// of a model of k1 marginals: every stop one of them, no two consecutive
// stops the same.
func CheckStops(k1 int, stops ...int) error {
	for i, s := range stops {
		if s < 0 || s >= k1 {
			return fmt.Errorf("marginal %d is out of range: the model has marginals 0 (Gaussian) … %d", s, k1-1)
		}
		if i > 0 && s == stops[i-1] {
			return fmt.Errorf("the path stays at marginal %d: consecutive stops must differ", s)
		}
	}
	return nil
}
