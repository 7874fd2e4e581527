package viz

import (
	"errors"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// SimplexCurve is a path on the simplex sampled at increasing times T in
// [0, 1]: Alpha[i] is α(T[i]), K+1 numbers. Title heads its panel.
type SimplexCurve struct {
	Title string
	T     []float64
	Alpha [][]float64
}

// SimplexPaths writes a PNG with one panel per curve, side by side on
// the same axes (a path optimizer draws the straight path beside the
// optimized one). With K+1 = 3 coordinates a panel is the triangle of the
// simplex, vertex k labelled k (0 is the Gaussian), the path drawn in it
// with a dot at every twentieth of the time, so that a change of speed
// along the same curve (a time reparameterization) shows as uneven dots.
// Otherwise a panel shows the curves α_k(t), one colour per k.
func SimplexPaths(file string, curves ...SimplexCurve) error {
	if len(curves) == 0 {
		return errors.New("viz: no curves to draw")
	}
	k1 := -1
	for i, c := range curves {
		if len(c.T) < 2 || len(c.T) != len(c.Alpha) {
			return fmt.Errorf("viz: curve %d has %d times and %d points, need at least 2 of each, equally many", i, len(c.T), len(c.Alpha))
		}
		for j, a := range c.Alpha {
			if k1 < 0 {
				k1 = len(a)
			}
			if len(a) != k1 || k1 < 2 {
				return fmt.Errorf("viz: curve %d point %d has %d coordinates, want %d (at least 2)", i, j, len(a), k1)
			}
			for _, v := range a {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("viz: curve %d point %d is not finite", i, j)
				}
			}
		}
	}
	plots := make([]*plot.Plot, len(curves))
	for i, c := range curves {
		var err error
		if k1 == 3 {
			plots[i], err = trianglePlot(c)
		} else {
			plots[i], err = coordinatePlot(c)
		}
		if err != nil {
			return err
		}
	}
	w := vg.Length(PlotSize*len(curves)) * vg.Inch / plotDPI
	h := vg.Length(PlotSize) * vg.Inch / plotDPI
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(plotDPI))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: len(curves), PadX: vg.Millimeter * 4, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align([][]*plot.Plot{plots}, tiles, dc)
	for i, p := range plots {
		p.Draw(canvases[0][i])
	}
	return writePNG(file, img.Image())
}

// barycentric maps a point of Δ² to the plane: e_0 at (0, 0), e_1 at
// (1, 0), e_2 at (½, √3/2).
func barycentric(a []float64) (x, y float64) {
	return a[1] + 0.5*a[2], math.Sqrt(3) / 2 * a[2]
}

func trianglePlot(c SimplexCurve) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = c.Title
	p.HideAxes()
	corners := plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 0}, {X: 0.5, Y: math.Sqrt(3) / 2}, {X: 0, Y: 0}}
	edges, err := plotter.NewLine(corners)
	if err != nil {
		return nil, fmt.Errorf("viz: %w", err)
	}
	edges.LineStyle = draw.LineStyle{Color: color.Gray{0x80}, Width: vg.Points(1)}
	p.Add(edges)
	labels, err := plotter.NewLabels(plotter.XYLabels{
		XYs:    plotter.XYs{{X: -0.04, Y: -0.05}, {X: 1.0, Y: -0.05}, {X: 0.5, Y: math.Sqrt(3)/2 + 0.02}},
		Labels: []string{"0 (Gaussian)", "1", "2"},
	})
	if err != nil {
		return nil, fmt.Errorf("viz: %w", err)
	}
	p.Add(labels)
	line := make(plotter.XYs, len(c.T))
	for i, a := range c.Alpha {
		line[i].X, line[i].Y = barycentric(a)
	}
	l, err := plotter.NewLine(line)
	if err != nil {
		return nil, fmt.Errorf("viz: %w", err)
	}
	l.LineStyle = draw.LineStyle{Color: Palette[0], Width: vg.Points(2)}
	p.Add(l)
	// Dots at t = 0, 1/20, …, 1 (the nearest sample).
	var dots plotter.XYs
	for j := 0; j <= 20; j++ {
		want := float64(j) / 20
		best := 0
		for i, t := range c.T {
			if math.Abs(t-want) < math.Abs(c.T[best]-want) {
				best = i
			}
		}
		dots = append(dots, line[best])
	}
	sc, err := plotter.NewScatter(dots)
	if err != nil {
		return nil, fmt.Errorf("viz: %w", err)
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: Palette[3], Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
	p.Add(sc)
	p.Legend.Add("path", l)
	p.Legend.Add("every 1/20 of time", sc)
	p.Legend.Top = true
	p.X.Min, p.X.Max = -0.1, 1.1
	p.Y.Min, p.Y.Max = -0.15, 1.05
	return p, nil
}

func coordinatePlot(c SimplexCurve) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = c.Title
	p.X.Label.Text = "t"
	p.Y.Label.Text = "α_k(t)"
	p.Add(plotter.NewGrid())
	for k := range c.Alpha[0] {
		line := make(plotter.XYs, len(c.T))
		for i, a := range c.Alpha {
			line[i].X, line[i].Y = c.T[i], a[k]
		}
		l, err := plotter.NewLine(line)
		if err != nil {
			return nil, fmt.Errorf("viz: %w", err)
		}
		l.LineStyle = draw.LineStyle{Color: Palette[k%len(Palette)], Width: vg.Points(2)}
		p.Add(l)
		name := fmt.Sprintf("α_%d", k)
		if k == 0 {
			name += " (Gaussian)"
		}
		p.Legend.Add(name, l)
	}
	p.Legend.Top = true
	p.Legend.Left = true
	p.X.Min, p.X.Max = 0, 1
	// Head room above α = 1 keeps the legend off the curves.
	p.Y.Min, p.Y.Max = -0.02, 1.02+0.07*float64(len(c.Alpha[0]))
	p.Y.Tick.Marker = plot.ConstantTicks([]plot.Tick{{Value: 0, Label: "0"}, {Value: 0.25}, {Value: 0.5, Label: "0.5"}, {Value: 0.75}, {Value: 1, Label: "1"}})
	return p, nil
}
