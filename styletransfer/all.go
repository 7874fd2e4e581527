package styletransfer

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"io"
	"strings"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/metrics"
	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/viz"
)

// Table is the all-to-all comparison of the K data marginals: every
// source i translated to every target j from the same n source samples.
type Table struct {
	// Names of the data marginals 1 … K (index k−1).
	Names []string `json:"names"`
	// Energy[i][j] (0-based: marginal i+1 to j+1) is the energy distance
	// between the samples of i+1 translated to j+1 along the edge and n
	// fresh samples of j+1. The diagonal is the distance between the
	// source samples and fresh samples of the same marginal: the floor of
	// two exact sets of this size.
	Energy [][]float64 `json:"energy"`
	// N is the number of samples per cell.
	N int `json:"n"`
	// Samples[i][j] are the translated samples (the diagonal: the
	// sources), Truth[j] the fresh samples of j+1; data coordinates.
	Samples [][][]float64 `json:"-"`
	Truth   [][]float64   `json:"-"`
	Stats   path.Stats    `json:"-"`
}

// AllToAll translates n samples of every data marginal to every other
// along the straight edges and measures each result against fresh samples
// of its target (metrics.Energy). Source samples of marginal k come from
// the chunk streams of seed + k (the same samples for every target); the
// fresh targets from independent streams.
func AllToAll(ctx context.Context, gen *generate.Generator, n int, seed uint64, o *generate.Options) (*Table, error) {
	return AllToAllVia(ctx, gen, n, seed, nil, o)
}

// AllToAllVia is AllToAll along the polylines i → via… → j instead of the
// straight edges (via 0: through the Gaussian, where the stochastic
// generator of o.SDE adds noise).
func AllToAllVia(ctx context.Context, gen *generate.Generator, n int, seed uint64, via []int, o *generate.Options) (*Table, error) {
	k1, d := gen.Sizes()
	K := k1 - 1
	if K < 2 {
		return nil, fmt.Errorf("styletransfer: all-to-all needs at least two data marginals, the model has %d", K)
	}
	if n < 2 {
		return nil, fmt.Errorf("styletransfer: all-to-all needs at least 2 samples, got %d", n)
	}
	names := make([]string, K)
	for k := range names {
		names[k] = gen.Name(k + 1)
	}
	t := &Table{Names: names, N: n, Energy: make([][]float64, K), Samples: make([][][]float64, K), Truth: make([][]float64, K)}
	for j := 1; j <= K; j++ {
		x, err := gen.Draw(j, n, generate.ChunkRand(^seed, j))
		if err != nil {
			return nil, err
		}
		t.Truth[j-1] = x
	}
	for i := 1; i <= K; i++ {
		t.Energy[i-1] = make([]float64, K)
		t.Samples[i-1] = make([][]float64, K)
		for j := 1; j <= K; j++ {
			p, err := generate.Polyline(k1, append(append([]int{i}, via...), j)...)
			if i == j {
				p, err = generate.Polyline(k1, i, 0) // only its start vertex is used
			}
			if err != nil {
				return nil, err
			}
			job := generate.Job{Path: p, N: n, Seed: seed + uint64(i), Options: o}
			var x []float64
			if i == j {
				x, err = sources(ctx, gen, job)
			} else {
				var res *generate.Result
				res, err = gen.Run(ctx, job)
				if res != nil {
					x = res.X
					t.Stats = t.Stats.Add(res.Stats)
				}
			}
			if err != nil {
				return nil, fmt.Errorf("styletransfer: %d → %d: %w", i, j, err)
			}
			t.Samples[i-1][j-1] = x
			t.Energy[i-1][j-1] = metrics.Energy(x, t.Truth[j-1], d)
		}
	}
	return t, nil
}

// sources returns the start samples a job draws, without integrating.
func sources(ctx context.Context, gen *generate.Generator, job generate.Job) ([]float64, error) {
	from := generate.StartVertex(job.Path)
	var x []float64
	err := generate.EachChunk(ctx, job.N, job.Shard, job.Seed, func(c generate.Chunk) error {
		part, err := gen.Draw(from, c.Len(), c.Rand)
		x = append(x, part...)
		return err
	})
	return x, err
}

// WriteText writes the table as aligned text (Markdown), rows the sources,
// columns the targets.
func (t *Table) WriteText(w io.Writer) error {
	var b strings.Builder
	b.WriteString("| from \\ to |")
	for j, name := range t.Names {
		fmt.Fprintf(&b, " %d %s |", j+1, name)
	}
	b.WriteString("\n|---|")
	b.WriteString(strings.Repeat("---|", len(t.Names)))
	b.WriteString("\n")
	for i, row := range t.Energy {
		fmt.Fprintf(&b, "| %d %s |", i+1, t.Names[i])
		for j, e := range row {
			if i == j {
				fmt.Fprintf(&b, " (%.4f) |", e)
			} else {
				fmt.Fprintf(&b, " %.4f |", e)
			}
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "energy distance to %d fresh samples of the target; (diagonal) two exact sets of the same marginal\n", t.N)
	_, err := io.WriteString(w, b.String())
	return err
}

// maxPanelPoints caps the points drawn per panel of the 2-D picture.
const maxPanelPoints = 1000

// WritePNG draws the table's samples: for 2-D data a grid of scatter
// panels (row = source, column = target; the target's fresh samples in
// gray under the translated samples; the diagonal shows the sources), for
// images (shape not nil) a grid of rows of images, m rows per source: in
// each, one source image (the diagonal column) and its translations.
func (t *Table) WritePNG(file string, d int, shape *datasets.ImageShape) error {
	K := len(t.Names)
	if d == 2 {
		gray := color.NRGBA{0x90, 0x90, 0x90, 0xff}
		panels := make([][]viz.Panel, K)
		for i := range panels {
			panels[i] = make([]viz.Panel, K)
			for j := range panels[i] {
				title := fmt.Sprintf("%d → %d  (%.3f)", i+1, j+1, t.Energy[i][j])
				if i == j {
					title = fmt.Sprintf("%d: source", i+1)
				}
				col := viz.Palette[j%len(viz.Palette)]
				panels[i][j] = viz.Panel{Title: title, Sets: []viz.Set{
					{Points: head(t.Truth[j], 2*maxPanelPoints), Color: gray},
					{Points: head(t.Samples[i][j], 2*maxPanelPoints), Color: col},
				}}
			}
		}
		return viz.ScatterGrid(file, "row: source marginal, column: target; gray: fresh target samples; title: energy distance", panels)
	}
	if shape == nil {
		return errors.New("styletransfer: a picture needs 2-D samples or images")
	}
	const perSource = 4
	m := min(perSource, t.N)
	var imgs []float64
	for i := 0; i < K; i++ {
		for s := 0; s < m; s++ {
			for j := 0; j < K; j++ {
				imgs = append(imgs, t.Samples[i][j][s*d:(s+1)*d]...)
			}
		}
	}
	// Image classes are scaled to [−1, 1] (package datasets).
	return viz.ChannelGrid(file, imgs, shape.Width, shape.Height, shape.C(), K, -1, 1)
}

func head(x []float64, n int) []float64 { return x[:min(len(x), n)] }
