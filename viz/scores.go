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

// ScoreSeries is one variant's score per problem: Values[i] belongs to the
// i-th name of Scores, NaN where the variant has no score.
type ScoreSeries struct {
	Title  string
	Values []float64
}

// Scores writes a PNG of positive scores per named problem, on a
// logarithmic axis, one colour per series, with a dashed line at target
// (0: none): the picture of a suite judged by its worst case, where the
// problems above the line are the ones to look at.
func Scores(file, title, ylabel string, names []string, target float64, series ...ScoreSeries) error {
	if len(names) == 0 || len(series) == 0 {
		return errors.New("viz: no scores to draw")
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	if target > 0 {
		lo, hi = target, target
	}
	seen := false
	for _, s := range series {
		if len(s.Values) != len(names) {
			return fmt.Errorf("viz: series %q has %d scores for %d problems", s.Title, len(s.Values), len(names))
		}
		for _, v := range s.Values {
			if math.IsNaN(v) {
				continue
			}
			if !(v > 0) || math.IsInf(v, 0) {
				return fmt.Errorf("viz: series %q has the score %v; want positive and finite (a logarithmic axis)", s.Title, v)
			}
			lo, hi, seen = math.Min(lo, v), math.Max(hi, v), true
		}
	}
	if !seen {
		return errors.New("viz: every score is missing")
	}
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = ylabel
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Y.Min, p.Y.Max = lo/1.5, hi*2 // room for the legend
	p.X.Min, p.X.Max = -0.7, float64(len(names))-0.3
	p.X.Tick.Marker = nameTicks(names)
	p.X.Tick.Label.Rotation = math.Pi / 2
	p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = draw.XRight, draw.YCenter
	p.Add(plotter.NewGrid())
	if target > 0 {
		l, err := plotter.NewLine(plotter.XYs{{X: p.X.Min, Y: target}, {X: p.X.Max, Y: target}})
		if err != nil {
			return fmt.Errorf("viz: %w", err)
		}
		l.LineStyle = draw.LineStyle{Color: color.Gray{Y: 0x30}, Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(6), vg.Points(4)}}
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("target %g", target), l)
	}
	for k, s := range series {
		// Series side by side within a problem's column.
		off := 0.0
		if len(series) > 1 {
			off = 0.5 * (float64(k)/float64(len(series)-1) - 0.5)
		}
		var pts plotter.XYs
		for i, v := range s.Values {
			if !math.IsNaN(v) {
				pts = append(pts, plotter.XY{X: float64(i) + off, Y: v})
			}
		}
		if len(pts) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return fmt.Errorf("viz: %w", err)
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: Palette[k%len(Palette)], Radius: vg.Points(4), Shape: draw.CircleGlyph{}}
		p.Add(sc)
		p.Legend.Add(s.Title, legendGlyph{sc.GlyphStyle})
	}
	p.Legend.Top = true
	w := vg.Length(max(PlotSize, 28*len(names)+160)) * vg.Inch / plotDPI
	h := vg.Length(PlotSize*3/4) * vg.Inch / plotDPI
	c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(plotDPI))
	p.Draw(draw.New(c))
	return writePNG(file, c.Image())
}

// nameTicks labels the integer positions 0 … len−1 with the names.
type nameTicks []string

func (n nameTicks) Ticks(lo, hi float64) []plot.Tick {
	var t []plot.Tick
	for i, s := range n {
		if x := float64(i); x >= lo && x <= hi {
			t = append(t, plot.Tick{Value: x, Label: s})
		}
	}
	return t
}
