package gk

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
)

// The features of x are sin(2π b_m·x) then cos(2π b_m·x) for the rows b_m
// of B, computed here from their definition; B is drawn from the model's
// generator (the same seed gives the same B, another seed another) with
// entries of standard deviation σ: the mean of b² over 64×3 entries has a
// relative standard error √(2/192) ≈ 0.1, so ±35 % is over 3 s.e.
func TestXFeaturesDefinition(t *testing.T) {
	cfg := Config{XFeatures: XFeatures{Frequencies: 64, Scale: 3}}
	m := mdlNew(t, cfg, 5)
	if m.xf == nil || len(m.xf.b) != 64*3 {
		t.Fatalf("features of x: %+v", m.xf)
	}
	ss := 0.0
	for _, v := range m.xf.b {
		ss += v * v
	}
	if sd := math.Sqrt(ss / float64(len(m.xf.b))); math.Abs(sd/3-1) > 0.35 {
		t.Errorf("entries of B have standard deviation %.3f, want 3", sd)
	}
	same, other := mdlNew(t, cfg, 5), mdlNew(t, cfg, 6)
	if same.xf.b[7] != m.xf.b[7] || other.xf.b[7] == m.xf.b[7] {
		t.Errorf("B[7]: %v, same seed %v, other seed %v", m.xf.b[7], same.xf.b[7], other.xf.b[7])
	}
	x := []float64{0.3, -1.2, 0.05}
	got := make([]float64, m.xf.dim())
	m.xf.compute(got, x)
	for i := 0; i < 64; i++ {
		s := 0.0
		for j := range x {
			s += m.xf.b[i*3+j] * x[j]
		}
		// Whole turns removed first: 2π·s itself loses up to |2πs| ulp.
		r := s - math.Round(s)
		if math.Abs(got[i]-math.Sin(2*math.Pi*r)) > 1e-15 || math.Abs(got[64+i]-math.Cos(2*math.Pi*r)) > 1e-15 {
			t.Fatalf("feature %d: %v, %v; want sin, cos of 2π·%v", i, got[i], got[64+i], s)
		}
	}
	// Off, nothing is drawn: the α-features and the weights are those of
	// a model created without the option.
	plain, with := mdlNew(t, Config{}, 5), mdlNew(t, Config{XFeatures: XFeatures{Frequencies: 2, Scale: 1}}, 5)
	if plain.xf != nil || plain.feat.b[3] != with.feat.b[3] {
		t.Errorf("features of x off: %+v; α-features %v and %v", plain.xf, plain.feat.b[3], with.feat.b[3])
	}
	if w := plain.eng.params().([]float64); len(w) != plain.NumParams() || plain.NumParams()+2*2*16 != with.NumParams() {
		t.Errorf("parameters: %d without, %d with 2 frequencies of x (first layer of 16 units)", plain.NumParams(), with.NumParams())
	}
}

// The trainer feeds the network the same inputs as Eval: its loss on a
// drawn batch equals the loss of the live network's raw heads evaluated
// row by row through Eval (same float64 arithmetic, 1e-12). A trainer that
// left the features of x out (zeros) or misplaced them changes the inputs
// and the loss by O(1).
func TestXFeaturesTrainerMatchesEval(t *testing.T) {
	tr := trTrainer(t, Config{Hidden: []int{8, 8}, XFeatures: XFeatures{Frequencies: 5, Scale: 2}}, Settings{Batch: 16, Seed: 3})
	loss, want := trLossAndEval(t, tr)
	if math.Abs(loss-want) > 1e-12*want {
		t.Errorf("trainer loss %.15g, Eval's %.15g", loss, want)
	}
}

// A model with features of x is written as format version 6 and loads to
// the same numbers (TestCheckpointRoundTrip); a file whose version does
// not match its content, whose B has the wrong size, or that declares
// features of x that its weights cannot hold is refused; the U-Net and
// bad settings are refused when the model is made.
func TestXFeaturesCheckpoint(t *testing.T) {
	dir := t.TempDir()
	tr := ckTrained(t, Config{Hidden: []int{8}, XFeatures: XFeatures{Frequencies: 3, Scale: 2}})
	path := filepath.Join(dir, "x.mmi")
	if err := tr.Save(path); err != nil {
		t.Fatal(err)
	}
	if v := ckFileVersion(t, path); v != xFeaturesVersion {
		t.Errorf("format version %d, want %d", v, xFeaturesVersion)
	}
	plain := ckTrained(t, Config{Hidden: []int{8}})
	if err := plain.Save(path); err != nil {
		t.Fatal(err)
	}
	if v := ckFileVersion(t, path); v != shapelessVersion {
		t.Errorf("a model without features of x is written as version %d", v)
	}
	p := tr.Model().payload()
	for _, c := range []struct {
		name    string
		version uint32
		edit    func(a *ckptArch)
		want    string
	}{
		{"good", xFeaturesVersion, func(a *ckptArch) {}, ""},
		{"version 2 with features of x", shapelessVersion, func(a *ckptArch) {}, "format version"},
		{"version 6 without", xFeaturesVersion, func(a *ckptArch) { a.XFeatures = nil }, "format version"},
		{"B too short", xFeaturesVersion, func(a *ckptArch) { a.XFeatures.B = a.XFeatures.B[:8] }, "Fourier frequencies of x"},
		{"more frequencies than B", xFeaturesVersion, func(a *ckptArch) { a.XFeatures.Frequencies = 4 }, "Fourier frequencies of x"},
		{"huge frequencies", xFeaturesVersion, func(a *ckptArch) { a.XFeatures.Frequencies = 1 << 40 }, "Fourier frequencies of x"},
		{"no frequencies", xFeaturesVersion, func(a *ckptArch) { a.XFeatures.Frequencies = 0 }, "features of x"},
		{"zero scale", xFeaturesVersion, func(a *ckptArch) { a.XFeatures.Scale = 0 }, "scale"},
		{"weights of another width", xFeaturesVersion, func(a *ckptArch) {
			a.XFeatures.Frequencies, a.XFeatures.B = 1, a.XFeatures.B[:8*2]
		}, "weights"},
	} {
		q := *p
		q.Arch.XFeatures = &ckptXFeatures{Frequencies: p.Arch.XFeatures.Frequencies, Scale: p.Arch.XFeatures.Scale, B: p.Arch.XFeatures.B}
		c.edit(&q.Arch)
		ckWantLoad(t, c.name, filepath.Join(dir, "edit.mmi"), c.version, &q, c.want)
	}
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{Marginals: 2, Dim: 16, Net: NetUNet, XFeatures: XFeatures{Frequencies: 4, Scale: 1}}, "MLP only"},
		{Config{Marginals: 2, Dim: 2, XFeatures: XFeatures{Frequencies: 4}}, "scale"},
		{Config{Marginals: 2, Dim: 2, XFeatures: XFeatures{Scale: 1}}, "no frequencies"},
		{Config{Marginals: 2, Dim: 2, XFeatures: XFeatures{Frequencies: -1, Scale: 1}}, "frequencies"},
	} {
		if _, err := NewModel(c.cfg, rand.New(rand.NewPCG(1, 1))); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one about %q", c.cfg.XFeatures, err, c.want)
		}
	}
}

func TestParseXFeatures(t *testing.T) {
	for s, want := range map[string]XFeatures{"": {}, "off": {}, "64:3": {64, 3}, "128:0.5": {128, 0.5}} {
		got, err := ParseXFeatures(s)
		if err != nil || got != want {
			t.Errorf("%q: %+v, %v; want %+v", s, got, err, want)
		}
		if want.On() && got.String() != s {
			t.Errorf("%+v prints as %q, want %q", got, got.String(), s)
		}
	}
	for _, s := range []string{"64", "64:", ":3", "0:3", "-2:3", "64:0", "64:-1", "64:inf", "64:nan", "64:3:1", "x:3"} {
		if f, err := ParseXFeatures(s); err == nil {
			t.Errorf("%q parses as %+v", s, f)
		}
	}
}
