package gk

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmi-go/mmi/marginals"
)

// pcTestConfig is a preconditioning with means and scales of order 1 and
// unlike each other (the Gaussian's m_0 = 0, s_0 = 1, as fitted), so
// that each part of the input and head maps moves the model by O(1).
func pcTestConfig(kk, d int) Precondition {
	p := Precondition{On: true, Means: make([]float64, kk*d), Scales: make([]float64, kk)}
	p.Scales[0] = 1
	for k := 1; k < kk; k++ {
		p.Scales[k] = 0.3 + 0.5*float64(k)
		for j := 0; j < d; j++ {
			p.Means[k*d+j] = math.Sin(float64(3*k + j + 1))
		}
	}
	return p
}

// A preconditioned model is its network evaluated at u = (x − Σ α_k m_k)/σ(α),
// σ(α)² = Σ α_k² s_k² + σ_min², with raw heads m_k + s_k n_k then read out
// as always: computed here from the definition with the same network
// (read without preconditioning, direct heads) and the projection of
// applyHeads; same float64 arithmetic up to the order of a few sums,
// 1e-12. Both head layouts, with features of x, in float32 too.
func TestPreconditionDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for _, f32 := range []bool{false, true} {
		for _, heads := range []Heads{HeadsProjected, HeadsDirect} {
			cfg := Config{Heads: heads, Float32: f32, XFeatures: XFeatures{Frequencies: 4, Scale: 1}, Precondition: pcTestConfig(4, 3)}
			m := mdlNew(t, cfg, 9)
			plain := m.cfg
			plain.Precondition, plain.Heads = Precondition{}, HeadsDirect
			net := newModel(plain.withDefaults(), m.feat, m.xf, m.eng)
			kk, d, n := 4, 3, 7
			x := mdlRandX(n, d, r)
			got, raw, want := trNewG(kk, n*d), trNewG(kk, n*d), trNewG(kk, n*d)
			p := cfg.Precondition
			for _, a := range mdlAlphas {
				m.Eval(got, a, x)
				v := preconditionMinSigma * preconditionMinSigma
				c := make([]float64, d)
				for k := range a {
					v += a[k] * a[k] * p.Scales[k] * p.Scales[k]
					for j := range c {
						c[j] += a[k] * p.Means[k*d+j]
					}
				}
				u := append([]float64(nil), x...)
				for i := range u {
					u[i] = (u[i] - c[i%d]) / math.Sqrt(v)
				}
				net.Eval(raw, a, u)
				h := make([]float64, kk*d)
				for i := 0; i < n; i++ {
					for k := 0; k < kk; k++ {
						for j := 0; j < d; j++ {
							h[k*d+j] = p.Means[k*d+j] + p.Scales[k]*raw[k][i*d+j]
						}
					}
					applyHeads(heads, nil, m.inv, want, h, a, x[i*d:(i+1)*d], i*d, make([]float64, d))
				}
				for k := range got {
					for i := range got[k] {
						if math.Abs(got[k][i]-want[k][i]) > 1e-12*(1+math.Abs(want[k][i])) {
							t.Fatalf("float32 %v, %v heads, α %v: g_%d[%d] = %.15g, definition %.15g", f32, heads, a, k, i, got[k][i], want[k][i])
						}
					}
				}
			}
		}
	}
	// Off, the model is the one made without the option: nothing drawn.
	plain, with := mdlNew(t, Config{}, 5), mdlNew(t, Config{Precondition: Precondition{On: true}}, 5)
	pw, ww := plain.eng.params().([]float64), with.eng.params().([]float64)
	if plain.pc != nil || len(pw) != len(ww) || pw[17] != ww[17] || plain.feat.b[3] != with.feat.b[3] {
		t.Errorf("preconditioning changes the drawn weights or features")
	}
}

// FitPrecondition against the exact moments of Gaussian marginals:
// m = the mean, s² = trace(Σ)/d. With n = 20000 draws the standard error
// of a mean coordinate is √(Σ_jj/n) ≤ 0.011·s-ish and that of s about
// s/√(2nd) = 0.0035 s; tolerances are 5 standard errors. The Gaussian
// marginal 0 gets exactly m_0 = 0 and s_0 = 1.
func TestFitPrecondition(t *testing.T) {
	c, err := marginals.NewIndependent(marginals.StandardGaussian(2),
		trGauss(t, 1, -2, 0.25, 0, 0.25), trGauss(t, -30, 5, 4, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	const n = 20000
	p, err := FitPrecondition(c, n, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	wantM := []float64{0, 0, 1, -2, -30, 5}
	wantS := []float64{1, 0.5, math.Sqrt(2.5)}
	sdM := []float64{0, 0, 0.5, 0.5, 2, 1}
	for i, w := range wantM {
		if math.Abs(p.Means[i]-w) > 5*sdM[i]/math.Sqrt(n)+1e-15 {
			t.Errorf("m[%d] = %v, want %v", i, p.Means[i], w)
		}
	}
	for k, w := range wantS {
		if math.Abs(p.Scales[k]-w) > 5*w/math.Sqrt(2*n*2)+1e-15 {
			t.Errorf("s_%d = %v, want %v", k, p.Scales[k], w)
		}
	}
	// A trainer fits them in model coordinates, from the normalization's
	// draws: the same numbers as FitPrecondition on the normalized coupling.
	tr, err := NewTrainer(Config{Hidden: []int{4}, Precondition: Precondition{On: true}}, c, Settings{Seed: 5, NormSamples: 300})
	if err != nil {
		t.Fatal(err)
	}
	cfg := tr.Model().Config()
	want, _ := FitPrecondition(NormalizedCoupling(c, cfg.Norm), 300, rand.New(rand.NewPCG(5, streamNorm)))
	for i := range want.Means {
		if cfg.Precondition.Means[i] != want.Means[i] {
			t.Fatalf("trainer's m[%d] = %v, want %v", i, cfg.Precondition.Means[i], want.Means[i])
		}
	}
	if s := cfg.Precondition.Scales; s[2] != want.Scales[2] || math.Abs(s[2]*cfg.Norm.Scale-math.Sqrt(2.5)) > 0.3 {
		t.Errorf("trainer's s_2 = %v (%v in data units), want %v", s[2], s[2]*cfg.Norm.Scale, want.Scales[2])
	}
}

// The trainer feeds the network the inputs and reads the heads as Eval
// does: its loss on a drawn batch equals the loss of the live network's
// raw heads evaluated through Eval (1e-12). A trainer that fed x instead
// of u, or left the heads unscaled, changes the loss by O(1).
func TestPreconditionTrainerMatchesEval(t *testing.T) {
	tr := trTrainer(t, Config{Hidden: []int{8, 8}, XFeatures: XFeatures{Frequencies: 3, Scale: 1}, Precondition: Precondition{On: true}}, Settings{Batch: 16, Seed: 3})
	loss, want := trLossAndEval(t, tr)
	if math.Abs(loss-want) > 1e-12*want {
		t.Errorf("trainer loss %.15g, Eval's %.15g", loss, want)
	}
}

// A preconditioned model is written as format version 7 and loads to the
// same numbers; a file whose version does not match its content, or whose
// means or scales have the wrong size or values, is refused; the U-Net
// and inconsistent settings are refused when the model is made.
func TestPreconditionCheckpoint(t *testing.T) {
	dir := t.TempDir()
	tr := ckTrained(t, Config{Hidden: []int{8}, Precondition: Precondition{On: true}})
	path := filepath.Join(dir, "p.mmi")
	if err := tr.Save(path); err != nil {
		t.Fatal(err)
	}
	if v := ckFileVersion(t, path); v != preconditionVersion {
		t.Errorf("format version %d, want %d", v, preconditionVersion)
	}
	back, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{0.3, -0.2, 1.1, 0.4}
	g1, g2 := trNewG(4, 4), trNewG(4, 4)
	tr.Model().Eval(g1, mdlAlphas[0], x)
	back.Eval(g2, mdlAlphas[0], x)
	mdlSameG(t, "loaded model", g1, g2)
	p := tr.Model().payload()
	for _, c := range []struct {
		name    string
		version uint32
		edit    func(a *ckptArch)
		want    string
	}{
		{"good", preconditionVersion, func(a *ckptArch) {}, ""},
		{"version 2 with preconditioning", shapelessVersion, func(a *ckptArch) {}, "format version"},
		{"version 7 without", preconditionVersion, func(a *ckptArch) { a.Precondition = nil }, "format version"},
		{"means too short", preconditionVersion, func(a *ckptArch) { a.Precondition.Means = a.Precondition.Means[:8] }, "means"},
		{"no scales", preconditionVersion, func(a *ckptArch) { a.Precondition.Scales = nil }, "scales"},
		{"ragged scales", preconditionVersion, func(a *ckptArch) { a.Precondition.Scales = a.Precondition.Scales[:5] }, "scales"},
		{"negative scale", preconditionVersion, func(a *ckptArch) {
			s := append([]byte(nil), a.Precondition.Scales...)
			s[15] |= 0x80 // sign bit of s_1
			a.Precondition.Scales = s
		}, "scale"},
	} {
		q := *p
		pc := *p.Arch.Precondition
		q.Arch.Precondition = &pc
		c.edit(&q.Arch)
		ckWantLoad(t, c.name, filepath.Join(dir, "edit.mmi"), c.version, &q, c.want)
	}
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{Marginals: 2, Dim: 16, Net: NetUNet, Precondition: Precondition{On: true}}, "MLP only"},
		{Config{Marginals: 2, Dim: 2, Precondition: Precondition{Scales: []float64{1, 1}}}, "off"},
		{Config{Marginals: 2, Dim: 2, Precondition: Precondition{On: true, Scales: []float64{1}}}, "scales"},
		{Config{Marginals: 2, Dim: 2, Precondition: Precondition{On: true, Means: []float64{1, 2, 3}}}, "means"},
		{Config{Marginals: 2, Dim: 2, Precondition: Precondition{On: true, Scales: []float64{1, math.NaN()}}}, "scale"},
	} {
		if _, err := NewModel(c.cfg, rand.New(rand.NewPCG(1, 1))); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one about %q", c.cfg.Precondition, err, c.want)
		}
	}
}
