package gk

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"
)

// unetRandom returns an untrained U-Net model whose every weight is random
// (NewModel zeroes the α-embedding's last layer and the blocks' second
// convolutions, which would hide α and half the network from a gradient
// check).
func unetRandom(t *testing.T, cfg Config, seed uint64) *Model {
	t.Helper()
	m, err := NewModel(cfg, rand.New(rand.NewPCG(seed, 0)))
	if err != nil {
		t.Fatal(err)
	}
	p := m.eng.params().([]float64)
	r := rand.New(rand.NewPCG(seed, 1))
	for i := range p {
		p[i] = 0.4 * (2*r.Float64() - 1)
	}
	return m
}

// The U-Net model satisfies the projected identity and its VJP and
// VJPAlpha agree with central finite differences of Eval, on a colour
// image (3 channels, so the reordering of the heads between the network's
// pixel-major channels and the model's head-major rows is exercised) and
// with clamped heads. Tolerances as in TestModelVJP and TestModelVJPAlpha.
func TestUNetModelVJP(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 3))
	cfg := Config{
		Marginals: 3, Dim: 12, Net: NetUNet, Shape: []int{2, 2, 3},
		UNet: UNet{Widths: []int{4, 4}, Embed: 6, Groups: 2}, Bounds: Bounds{Lo: -1, Hi: 1}, NoiseWeight: 0.1,
		Features: Features{Kind: FeaturesFourier, Frequencies: 3},
	}
	m := unetRandom(t, cfg, 5)
	kk, d := m.Sizes()
	n := 3
	x := mdlRandX(n, d, r)
	u := mdlRandX(n, d, r)
	w := []float64{0.3, -1, 2}
	g := trNewG(kk, n*d)
	f := func(a, x []float64) float64 {
		m.Eval(g, a, x)
		s := 0.0
		for k := range g {
			for i, v := range g[k] {
				s += w[k] * u[i] * v
			}
		}
		return s
	}
	for _, a := range [][]float64{{0.2, 0.5, 0.3}, {0, 0.6, 0.4}} {
		m.Eval(g, a, x)
		for i := range x {
			s := 0.0
			for k := range g {
				s += a[k] * g[k][i]
			}
			if math.Abs(s-x[i]) > 1e-12 {
				t.Fatalf("Σ α_k g_k − x = %g at %d", s-x[i], i)
			}
		}
		da, dx := make([]float64, kk), make([]float64, n*d)
		m.VJPAlpha(da, dx, w, a, x, u)
		ref := make([]float64, n*d)
		m.VJP(ref, w, a, x, u)
		const h = 1e-5
		for i := range x {
			xi := x[i]
			x[i] = xi + h
			fp := f(a, x)
			x[i] = xi - h
			fm := f(a, x)
			x[i] = xi
			fd := (fp - fm) / (2 * h)
			if math.Abs(fd-ref[i]) > 1e-6*(1+math.Abs(fd)) || math.Abs(dx[i]-ref[i]) > 1e-12*(1+math.Abs(fd)) {
				t.Fatalf("α %v: VJP dx[%d] = %g, VJPAlpha %g, finite difference %g", a, i, ref[i], dx[i], fd)
			}
		}
		for k := range a {
			al := append([]float64(nil), a...)
			al[k] += h
			fp := f(al, x)
			al[k] -= 2 * h
			fm := f(al, x)
			if fd := (fp - fm) / (2 * h); math.Abs(fd-da[k]) > 1e-6*(1+math.Abs(fd)) {
				t.Fatalf("α %v: dα[%d] = %g, finite difference %g", a, k, da[k], fd)
			}
		}
	}
}

// A U-Net trains, saves (format version 3), loads to the same numbers and
// resumes bit for bit like an uninterrupted run; 2-D samples are a 1×1
// image of two channels.
func TestUNetTrainCheckpoint(t *testing.T) {
	dir := t.TempDir()
	for _, f32 := range []bool{false, true} {
		cfg := Config{Net: NetUNet, Shape: []int{1, 1, 2}, UNet: UNet{Widths: []int{8}, Embed: 8, Groups: 4}, Float32: f32}
		set := Settings{Steps: 12, Batch: 16, Seed: 3}
		c := trCoupling(t, trMixtures(t))
		path := filepath.Join(dir, "unet.mmi")
		straight, resumed := trHalfway(t, cfg, c, set, 6, path)
		if err := resumed.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		trSameBits(t, "resumed U-Net", trParams(straight), trParams(resumed))

		if err := straight.Save(path); err != nil {
			t.Fatal(err)
		}
		m, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		gc := m.Config()
		if gc.Net != NetUNet || fmt.Sprint(gc.Shape) != fmt.Sprint(cfg.Shape) || len(gc.UNet.Widths) != 1 || gc.UNet.Widths[0] != 8 || gc.UNet.Embed != 8 || gc.UNet.Groups != 4 {
			t.Fatalf("loaded config %+v", gc)
		}
		kk, d := m.Sizes()
		x := mdlRandX(50, d, rand.New(rand.NewPCG(1, 1)))
		g1, g2 := trNewG(kk, len(x)), trNewG(kk, len(x))
		straight.Model().Eval(g1, mdlAlphas[0], x)
		m.Eval(g2, mdlAlphas[0], x)
		mdlSameG(t, "loaded U-Net differs", g1, g2)
		p, err := readCheckpoint(path)
		if err != nil || p.version() != unetVersion {
			t.Fatalf("U-Net checkpoint version %d, err %v; want %d", p.version(), err, unetVersion)
		}
	}
}

// A U-Net of two blocks a level saves as format version 8 (one block
// stays version 5) and loads to the same network and numbers.
func TestUNetBlocksCheckpoint(t *testing.T) {
	dir := t.TempDir()
	for _, blocks := range []int{1, 2} {
		cfg := Config{Marginals: 4, Dim: 16, Net: NetUNet, UNet: UNet{Widths: []int{4, 4}, Embed: 4, Groups: 2, Blocks: blocks}}
		m, err := NewModel(cfg, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, fmt.Sprintf("b%d.mmi", blocks))
		if err := m.Save(path); err != nil {
			t.Fatal(err)
		}
		l, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if l.Config().UNet.Blocks != blocks || l.NumParams() != m.NumParams() {
			t.Errorf("%d blocks: loaded %d blocks, %d parameters (saved %d)", blocks, l.Config().UNet.Blocks, l.NumParams(), m.NumParams())
		}
		kk, d := m.Sizes()
		x := mdlRandX(20, d, rand.New(rand.NewPCG(1, 1)))
		g1, g2 := trNewG(kk, len(x)), trNewG(kk, len(x))
		m.Eval(g1, mdlAlphas[0], x)
		l.Eval(g2, mdlAlphas[0], x)
		mdlSameG(t, "loaded U-Net differs", g1, g2)
		want := uint32(unetVersion)
		if blocks > 1 {
			want = blocksVersion
		}
		if p, err := readCheckpoint(path); err != nil || p.version() != want {
			t.Errorf("%d blocks: version %v, err %v; want %d", blocks, p.version(), err, want)
		}
	}
}

// A U-Net needs an image shape that matches the dimension and halves
// evenly at every level.
func TestUNetConfigErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, cfg := range []Config{
		{Marginals: 2, Dim: 12, Net: NetUNet},                                     // not a square, no shape
		{Marginals: 2, Dim: 12, Net: NetUNet, Shape: []int{2, 2, 2}},              // 8 ≠ 12
		{Marginals: 2, Dim: 36, Net: NetUNet, UNet: UNet{Widths: []int{4, 4, 4}}}, // 6×6 does not halve twice
		{Marginals: 2, Dim: 4, Net: Network(9)},                                   // unknown network
	} {
		if _, err := NewModel(cfg, r); err == nil {
			t.Errorf("config %+v accepted", cfg)
		}
	}
	// The default widths drop levels until the image halves evenly: 6×6
	// gets two levels.
	m, err := NewModel(Config{Marginals: 2, Dim: 36, Net: NetUNet}, r)
	if err != nil {
		t.Fatal(err)
	}
	if w := m.Config().UNet.Widths; len(w) != 2 {
		t.Errorf("6×6 default widths %v, want two levels", w)
	}
}

// A U-Net checkpoint whose declared widths, shape or network do not match
// its weights, or whose version does not match its content, is refused
// with an error (no panic, no allocation for the declared sizes).
func TestUNetCheckpointRefused(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{Marginals: 3, Dim: 16, Net: NetUNet, UNet: UNet{Widths: []int{4, 4}, Embed: 4, Groups: 2}, Float32: true}
	m, err := NewModel(cfg, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	p := m.payload()
	for _, c := range []struct {
		what    string
		version uint32
		edit    func(a *ckptArch)
	}{
		{"widths", unetVersion, func(a *ckptArch) { a.UNet.Widths = []int{4, 8} }},
		{"huge widths", unetVersion, func(a *ckptArch) { a.UNet.Widths = []int{1 << 30} }},
		{"shape", unetVersion, func(a *ckptArch) { a.Shape = []int{4, 4, 2} }},               // 32 numbers, not 16
		{"channels", unetVersion, func(a *ckptArch) { a.Dim, a.Shape = 32, []int{4, 4, 2} }}, // weights for 1 channel
		{"no shape", unetVersion, func(a *ckptArch) { a.Shape = nil }},
		{"huge image", unetVersion, func(a *ckptArch) { a.Dim, a.Shape = 1<<40, []int{1 << 20, 1 << 20, 1} }},
		{"unknown network", unetVersion, func(a *ckptArch) { a.Net = "transformer" }},
		{"no U-Net description", unetVersion, func(a *ckptArch) { a.UNet = nil }},
		{"version 3", shapeVersion, func(a *ckptArch) {}},
		{"blocks", blocksVersion, func(a *ckptArch) { a.UNet.Blocks = 2 }}, // weights for one block a level
		{"huge blocks", blocksVersion, func(a *ckptArch) { a.UNet.Blocks = 1 << 30 }},
		{"blocks in version 5", unetVersion, func(a *ckptArch) { a.UNet.Blocks = 2 }},
	} {
		q := *p
		q.Arch.UNet = &ckptUNet{Widths: append([]int(nil), p.Arch.UNet.Widths...), Embed: p.Arch.UNet.Embed, Groups: p.Arch.UNet.Groups}
		q.Arch.Shape = append([]int(nil), p.Arch.Shape...)
		c.edit(&q.Arch)
		path := filepath.Join(dir, "bad.mmi")
		ckWritePayload(t, path, c.version, &q)
		if _, err := Load(path); err == nil {
			t.Errorf("%s: Load succeeded", c.what)
		}
	}
	if err := m.Save(filepath.Join(dir, "good.mmi")); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(filepath.Join(dir, "good.mmi")); err != nil {
		t.Errorf("the unedited model: %v", err)
	}
}
