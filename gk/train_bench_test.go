package gk

import (
	"math/rand/v2"
	"testing"

	"github.com/mmi-go/mmi/marginals"
)

// bnUniform is a cheap coupling for benchmarks: K+1 marginals of
// independent U(−1, 1) coordinates. Drawing it costs little beside a
// training step, so the benchmark measures the trainer.
type bnUniform struct{ k, d int }

func (c bnUniform) Len() int { return c.k }
func (c bnUniform) Dim() int { return c.d }
func (c bnUniform) Sample(dst [][]float64, r *rand.Rand) {
	for _, x := range dst {
		for i := range x {
			x[i] = 2*r.Float64() - 1
		}
	}
}

var _ marginals.Coupling = bnUniform{}

// BenchmarkTrainStep measures whole training steps through the Trainer
// (α and coupling draws, features, forward, loss, backward, clipping, Adam,
// EMA):
//
//	small:   K+1 = 3, d = 2: 3+2 → 3×256 tanh → 3·2, float64, batch 512
//	small32: the same network in float32
//	mnist:   K+1 = 7, d = 784: 7+784 → 3×1024 tanh → 7·784, float32, batch 512
//	image:   the image default of `mmi train` (six MNIST classes): K+1 = 7,
//	         d = 784, 39 Fourier α-features + 784 → 3×512 tanh → 7·784,
//	         float32, batch 128, data heads clamped, noise-head weight 0.03
//	         (bench/torch_trainstep.py --cases image is its PyTorch twin)
//	unet:    the same data through the default U-Net (gk.DefaultUNetWidths
//	         on 28×28×1, 7 output channels), float32, batch 128, clamped
//	         heads and noise-head weight as image (torch_trainstep.py
//	         --cases unet is its twin); it also reports the GFLOP/s of its
//	         convolutions and embedding
//
// The small networks take α as plain features, so they are the network
// 5 → 3×256 → 6 that bench/torch_trainstep.py times in PyTorch (the
// default Fourier features would add 32 inputs). mnist takes about 2 s per
// step with pure-Go BLAS; run it with -benchtime=3x.
func BenchmarkTrainStep(b *testing.B) {
	for _, c := range []struct {
		name      string
		k, d      int
		hidden    int
		float32   bool
		batchSize int
	}{
		{"small", 3, 2, 256, false, 512},
		{"small32", 3, 2, 256, true, 512},
		{"mnist", 7, 784, 1024, true, 512},
		{"image", 7, 784, 512, true, 128},
		{"unet", 7, 784, 0, true, 128},
	} {
		b.Run(c.name, func(b *testing.B) {
			cfg := Config{Hidden: []int{c.hidden, c.hidden, c.hidden}, Float32: c.float32, Norm: Affine{Scale: 1}}
			if c.d == 2 {
				cfg.Features = Features{Kind: FeaturesPlain}
			}
			if c.name == "image" || c.name == "unet" {
				cfg.Bounds, cfg.NoiseWeight = Bounds{Lo: -1, Hi: 1}, 0.03
			}
			if c.name == "unet" {
				cfg.Net, cfg.Hidden = NetUNet, nil
			}
			tr, err := NewTrainer(cfg, bnUniform{c.k, c.d}, Settings{Steps: 1 << 30, Batch: c.batchSize})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := tr.trainStep(); err != nil { // allocate lazily built state
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := tr.trainStep(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*c.batchSize)/b.Elapsed().Seconds(), "samples/s")
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
			if u, ok := tr.live.(*unetEngine[float32]); ok {
				b.ReportMetric(float64(b.N)*u.net.Flops(c.batchSize)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			}
		})
	}
}

// BenchmarkEval measures Model.Eval of the small network (K+1 = 3, d = 2,
// 3×256 tanh, float64) at one shared α, for a batch of 1 row (an ODE step
// on one sample) and of 512 rows.
func BenchmarkEval(b *testing.B) {
	m, err := NewModel(Config{Marginals: 3, Dim: 2, Hidden: []int{256, 256, 256}}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1, 512} {
		b.Run(map[int]string{1: "batch1", 512: "batch512"}[n], func(b *testing.B) {
			x := mdlRandX(n, 2, rand.New(rand.NewPCG(2, 2)))
			g := trNewG(3, len(x))
			a := []float64{0.2, 0.3, 0.5}
			m.Eval(g, a, x)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				m.Eval(g, a, x)
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}
