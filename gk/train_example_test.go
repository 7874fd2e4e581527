package gk_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/marginals"
)

// Train a model on two toy data sets, save it, load it and evaluate g in
// the model's (normalized) coordinates.
func ExampleTrainer() {
	c, err := marginals.NewIndependent(marginals.StandardGaussian(2), datasets.Moons(), datasets.EightGaussians())
	if err != nil {
		panic(err)
	}
	cfg := gk.Config{Hidden: []int{32, 32}, Specs: []string{"moons", "8gaussians"}}
	tr, err := gk.NewTrainer(cfg, c, gk.Settings{Steps: 50, Batch: 64, Seed: 1})
	if err != nil {
		panic(err)
	}
	dir, _ := os.MkdirTemp("", "mmi")
	defer os.RemoveAll(dir)
	tr.Path = filepath.Join(dir, "model.mmi") // checkpoints: periodic and at the end
	if err := tr.Run(context.Background()); err != nil {
		panic(err)
	}

	m, err := gk.Load(tr.Path)
	if err != nil {
		panic(err)
	}
	k1, d := m.Sizes()
	fmt.Println("marginals", k1, "dimension", d, "specs", m.Specs())

	// A data sample enters through Normalize; g comes out in model
	// coordinates and leaves through Denormalize.
	x := make([]float64, 5*d)
	datasets.Moons().Sample(x, rand.New(rand.NewPCG(1, 2)))
	m.Normalization().Normalize(x)
	g := make([][]float64, k1)
	for k := range g {
		g[k] = make([]float64, len(x))
	}
	m.Eval(g, []float64{0, 0.5, 0.5}, x)
	fmt.Println("rows of g:", len(g[1])/d)
	// Output:
	// marginals 3 dimension 2 specs [moons 8gaussians]
	// rows of g: 5
}
