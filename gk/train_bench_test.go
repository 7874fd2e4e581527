package gk

import (
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/nn"
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
//	vector:  mmi train's default for data that are not images: K+1 = 4,
//	         d = 2, 16 Fourier α-features and 32 of x (32:1) + 2 → 3×128
//	         SiLU → 4·2, float32, batch 512
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
		{"vector", 4, 2, 128, true, 512},
		{"mnist", 7, 784, 1024, true, 512},
		{"image", 7, 784, 512, true, 128},
		{"unet", 7, 784, 0, true, 128},
	} {
		b.Run(c.name, func(b *testing.B) {
			cfg := Config{Hidden: []int{c.hidden, c.hidden, c.hidden}, Float32: c.float32, Norm: Affine{Scale: 1}}
			switch c.name {
			case "small", "small32":
				cfg.Features = Features{Kind: FeaturesPlain}
			case "vector":
				cfg.Activation, cfg.XFeatures = nn.SiLU, XFeatures{Frequencies: 32, Scale: 1}
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

// bnGaussians is a benchmark coupling of K data marginals that are 2-D
// standard normals shifted apart (mean k along the first axis), drawn
// independently, with the standard Gaussian as marginal 0.
func bnGaussians(k, d int) []marginals.Marginal {
	ms := []marginals.Marginal{marginals.StandardGaussian(d)}
	for i := 1; i < k; i++ {
		ms = append(ms, bnShifted{d: d, shift: float64(i)})
	}
	return ms
}

// bnShifted is N(shift·e_1, I_d).
type bnShifted struct {
	d     int
	shift float64
}

func (m bnShifted) Dim() int { return m.d }
func (m bnShifted) Sample(dst []float64, r *rand.Rand) {
	for i := range dst {
		dst[i] = r.NormFloat64()
		if i%m.d == 0 {
			dst[i] += m.shift
		}
	}
}

// BenchmarkTrainStepCoupling compares a training step on the independent
// coupling with one on the OT coupling (the data tuples formed by
// assignment, blocks of B rows, each draw serving R steps) at the
// settings mmi train picks: the default 2-D model (K+1 = 4, d = 2, 3×256
// tanh, float32, batch 512; ot:32, R = 16), two 2-D data marginals (K+1 =
// 3; ot:64, R = 4) and the image default (K+1 = 7, d = 784, 3×512, batch
// 128; one block of 128, R = 4). The ratio of the OT step to the
// independent one is the price of the coupling (docs/couplings.md).
func BenchmarkTrainStepCoupling(b *testing.B) {
	type run struct {
		spec  string
		reuse int
	}
	for _, c := range []struct {
		name         string
		k, d, hidden int
		batch        int
		runs         []run
	}{
		{"2d-K3", 4, 2, 256, 512, []run{{"independent", 0}, {"ot:32", 16}, {"ot:64", 16}}},
		{"2d-K2", 3, 2, 256, 512, []run{{"independent", 0}, {"ot:64", 4}}},
		{"image", 7, 784, 512, 128, []run{{"independent", 0}, {"ot:128", 4}, {"ot:128", 1}}},
	} {
		for _, ru := range c.runs {
			b.Run(fmt.Sprintf("%s/%s/reuse%d", c.name, ru.spec, ru.reuse), func(b *testing.B) {
				cs, err := marginals.ParseCouplingSpec(ru.spec)
				if err != nil {
					b.Fatal(err)
				}
				cp, err := cs.New(bnGaussians(c.k, c.d)...)
				if err != nil {
					b.Fatal(err)
				}
				cfg := Config{Hidden: []int{c.hidden, c.hidden, c.hidden}, Float32: true, Norm: Affine{Scale: 1}}
				tr, err := NewTrainer(cfg, cp, Settings{Steps: 1 << 30, Batch: c.batch, Reuse: ru.reuse})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := tr.trainStep(); err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, err := tr.trainStep(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
			})
		}
	}
}

// TestCouplingStepRatio prints the time of a training step on the OT
// coupling over that of an independent step, the two trainers run in
// alternation (blocks of 16 steps, so that a draw of reused tuples falls
// in every block) so that the load of the machine weighs on both alike.
// Set MMI_COUPLING_RATIO=1 to run it; the cases are those of
// BenchmarkTrainStepCoupling.
func TestCouplingStepRatio(t *testing.T) {
	if os.Getenv("MMI_COUPLING_RATIO") == "" {
		t.Skip("set MMI_COUPLING_RATIO=1 to measure")
	}
	for _, c := range []struct {
		name            string
		k, d, hidden, b int
		spec            string
		reuse, rounds   int
	}{
		{"2-D, 3 data marginals", 4, 2, 256, 512, "ot:32", 16, 40},
		{"2-D, 3 data marginals, blocks of 128", 4, 2, 256, 512, "ot:128", 16, 40},
		{"2-D, 2 data marginals", 3, 2, 256, 512, "ot:64", 4, 40},
		{"images, 6 classes", 7, 784, 512, 128, "ot:128", 4, 4},
	} {
		trainer := func(spec string, reuse int) *Trainer {
			cs, err := marginals.ParseCouplingSpec(spec)
			if err != nil {
				t.Fatal(err)
			}
			cp, err := cs.New(bnGaussians(c.k, c.d)...)
			if err != nil {
				t.Fatal(err)
			}
			cfg := Config{Hidden: []int{c.hidden, c.hidden, c.hidden}, Float32: true, Norm: Affine{Scale: 1}}
			tr, err := NewTrainer(cfg, cp, Settings{Steps: 1 << 30, Batch: c.b, Reuse: reuse})
			if err != nil {
				t.Fatal(err)
			}
			return tr
		}
		ind, ot := trainer("independent", 0), trainer(c.spec, c.reuse)
		var tInd, tOT time.Duration
		run := func(tr *Trainer, acc *time.Duration) {
			t0 := time.Now()
			for range 16 {
				if _, err := tr.trainStep(); err != nil {
					t.Fatal(err)
				}
			}
			*acc += time.Since(t0)
		}
		run(ind, new(time.Duration)) // warm up
		run(ot, new(time.Duration))
		for range c.rounds {
			run(ind, &tInd)
			run(ot, &tOT)
		}
		steps := float64(16 * c.rounds)
		fmt.Printf("%s: independent %.2f ms/step, %s reuse %d %.2f ms/step, ratio %.3f\n", c.name,
			tInd.Seconds()*1e3/steps, c.spec, c.reuse, tOT.Seconds()*1e3/steps, tOT.Seconds()/tInd.Seconds())
	}
}
