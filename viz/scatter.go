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

// PlotSize is the width and height in pixels of the PNGs Scatter2D and
// Trajectories2D write (at 96 dots per inch).
const PlotSize = 640

const plotDPI = 96

// Palette gives the colours of sets whose Color is nil, in order (the
// colour-blind-safe "tab10" hues of matplotlib). Markers are drawn with
// alpha 0.4 so that dense regions show as darker.
var Palette = []color.Color{
	color.NRGBA{0x1f, 0x77, 0xb4, 0xff}, // blue
	color.NRGBA{0xff, 0x7f, 0x0e, 0xff}, // orange
	color.NRGBA{0x2c, 0xa0, 0x2c, 0xff}, // green
	color.NRGBA{0xd6, 0x27, 0x28, 0xff}, // red
	color.NRGBA{0x94, 0x67, 0xbd, 0xff}, // purple
	color.NRGBA{0x8c, 0x56, 0x4b, 0xff}, // brown
	color.NRGBA{0xe3, 0x77, 0xc2, 0xff}, // pink
	color.NRGBA{0x7f, 0x7f, 0x7f, 0xff}, // gray
	color.NRGBA{0xbc, 0xbd, 0x22, 0xff}, // olive
	color.NRGBA{0x17, 0xbe, 0xcf, 0xff}, // cyan
}

const markerAlpha = 0.4

// Set is one 2-D sample set of a scatter plot: Points holds n points as
// x0, y0, x1, y1, …; Name labels it in the legend (no entry when empty);
// Color nil takes the next colour of Palette.
type Set struct {
	Name   string
	Points []float64
	Color  color.Color
}

// points converts a flat x, y, … slice to plotter.XYs, failing on odd
// lengths and non-finite values.
func points(what string, xy []float64) (plotter.XYs, error) {
	if len(xy)%2 != 0 {
		return nil, fmt.Errorf("viz: %s has %d numbers, not x, y pairs", what, len(xy))
	}
	out := make(plotter.XYs, len(xy)/2)
	for i := range out {
		x, y := xy[2*i], xy[2*i+1]
		if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) {
			return nil, fmt.Errorf("viz: %s point %d is (%v, %v)", what, i, x, y)
		}
		out[i] = plotter.XY{X: x, Y: y}
	}
	return out, nil
}

// withAlpha returns c with its alpha replaced by a ∈ [0, 1].
func withAlpha(c color.Color, a float64) color.Color {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	n.A = uint8(math.Round(255 * a))
	return n
}

// markerRadius shrinks markers as point counts grow, so 10,000 points still
// show structure rather than a blot.
func markerRadius(total int) vg.Length {
	switch {
	case total <= 2000:
		return vg.Points(1.6)
	case total <= 20000:
		return vg.Points(1.1)
	}
	return vg.Points(0.8)
}

// Scatter2D writes a PNG (PlotSize×PlotSize pixels) of several 2-D sample
// sets drawn as small semi-transparent discs, later sets on top, with equal
// scales on both axes so that shapes are not distorted. It returns an error
// for an odd number of coordinates, a NaN or infinite point, or no points
// at all.
func Scatter2D(path, title string, sets ...Set) error {
	p := newPlot(title)
	total := 0
	for _, s := range sets {
		total += len(s.Points) / 2
	}
	if total == 0 {
		return errors.New("viz: scatter plot with no points")
	}
	var all []plotter.XYs
	for k, s := range sets {
		xys, err := points(fmt.Sprintf("set %d (%q)", k, s.Name), s.Points)
		if err != nil {
			return err
		}
		if len(xys) == 0 {
			continue
		}
		c := s.Color
		if c == nil {
			c = Palette[k%len(Palette)]
		}
		sc, err := plotter.NewScatter(xys)
		if err != nil {
			return fmt.Errorf("viz: %w", err)
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: withAlpha(c, markerAlpha), Radius: markerRadius(total), Shape: draw.CircleGlyph{}}
		p.Add(sc)
		if s.Name != "" {
			// An opaque, larger marker in the legend.
			p.Legend.Add(s.Name, legendGlyph{draw.GlyphStyle{Color: c, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}})
		}
		all = append(all, xys)
	}
	equalAspect(p, all)
	return savePlot(path, p)
}

// Trajectories2D writes a PNG (PlotSize×PlotSize pixels) of the paths of
// an ODE or SDE between two point sets: each trajectory (a polyline
// x0, y0, x1, y1, … of at least two points) as a thin gray line, the start
// points in blue and the end points in red on top. It is what `mmi path
// --png` draws. It returns an error for odd lengths, trajectories of fewer
// than two points, NaN or infinite coordinates, or nothing to draw.
func Trajectories2D(path, title string, start, end []float64, trajs [][]float64) error {
	if len(start)+len(end) == 0 && len(trajs) == 0 {
		return errors.New("viz: trajectory plot with nothing to draw")
	}
	p := newPlot(title)
	var all []plotter.XYs
	lineColor := color.NRGBA{0x40, 0x40, 0x40, 0x70}
	for k, tr := range trajs {
		xys, err := points(fmt.Sprintf("trajectory %d", k), tr)
		if err != nil {
			return err
		}
		if len(xys) < 2 {
			return fmt.Errorf("viz: trajectory %d has %d points, need at least 2", k, len(xys))
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return fmt.Errorf("viz: %w", err)
		}
		l.LineStyle = draw.LineStyle{Color: lineColor, Width: vg.Points(0.6)}
		p.Add(l)
		if k == 0 {
			p.Legend.Add("trajectories", l)
		}
		all = append(all, xys)
	}
	total := (len(start) + len(end)) / 2
	for _, s := range []struct {
		name string
		xy   []float64
		c    color.Color
	}{{"start", start, Palette[0]}, {"end", end, Palette[3]}} {
		xys, err := points(s.name+" points", s.xy)
		if err != nil {
			return err
		}
		if len(xys) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(xys)
		if err != nil {
			return fmt.Errorf("viz: %w", err)
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: withAlpha(s.c, 0.6), Radius: markerRadius(total), Shape: draw.CircleGlyph{}}
		p.Add(sc)
		p.Legend.Add(s.name, legendGlyph{draw.GlyphStyle{Color: s.c, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}})
		all = append(all, xys)
	}
	equalAspect(p, all)
	return savePlot(path, p)
}

func newPlot(title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "x₁"
	p.Y.Label.Text = "x₂"
	p.Legend.Top = true
	p.Legend.Left = true
	p.Add(plotter.NewGrid())
	return p
}

// equalAspect sets both axes to ranges of the same length, centred on the
// data, with a 5% margin, so one unit is as long on both axes (the plot
// area is close to square at PlotSize×PlotSize).
func equalAspect(p *plot.Plot, sets []plotter.XYs) {
	xmin, ymin := math.Inf(1), math.Inf(1)
	xmax, ymax := math.Inf(-1), math.Inf(-1)
	for _, s := range sets {
		for _, q := range s {
			xmin, xmax = min(xmin, q.X), max(xmax, q.X)
			ymin, ymax = min(ymin, q.Y), max(ymax, q.Y)
		}
	}
	if math.IsInf(xmin, 0) {
		return
	}
	half := max(xmax-xmin, ymax-ymin, 1e-9) * 0.55
	cx, cy := (xmin+xmax)/2, (ymin+ymax)/2
	p.X.Min, p.X.Max = cx-half, cx+half
	p.Y.Min, p.Y.Max = cy-half, cy+half
}

// savePlot renders p at PlotSize×PlotSize pixels and writes the PNG
// atomically.
func savePlot(path string, p *plot.Plot) error {
	side := vg.Length(PlotSize) * vg.Inch / plotDPI
	c := vgimg.NewWith(vgimg.UseWH(side, side), vgimg.UseDPI(plotDPI))
	p.Draw(draw.New(c))
	return writePNG(path, c.Image())
}

// legendGlyph draws one glyph as a legend thumbnail.
type legendGlyph struct{ style draw.GlyphStyle }

func (g legendGlyph) Thumbnail(c *draw.Canvas) {
	c.DrawGlyph(g.style, c.Center())
}
