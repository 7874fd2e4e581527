package viz

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Schedules writes a PNG of two-coordinate schedules from coordinate i to
// coordinate j (noise schedules (α_0(t), α_k(t)) when i = 0), one colour
// per curve, in two panels: left the curves in the plane (α_i, α_j), where
// the simplex is the straight line α_i + α_j = 1 and the trigonometric
// path the unit circle, with a dot at every tenth of the time; right α_i(t)
// (solid) and α_j(t) (dashed) against t. Each curve's Title names it in the
// legend.
func Schedules(file string, i, j int, curves ...SimplexCurve) error {
	if len(curves) == 0 {
		return errors.New("viz: no schedules to draw")
	}
	for c, cv := range curves {
		if len(cv.T) < 2 || len(cv.T) != len(cv.Alpha) {
			return fmt.Errorf("viz: schedule %d has %d times and %d points", c, len(cv.T), len(cv.Alpha))
		}
		for _, a := range cv.Alpha {
			if i < 0 || j < 0 || i >= len(a) || j >= len(a) {
				return fmt.Errorf("viz: schedule %d has %d coordinates, no %d and %d", c, len(a), i, j)
			}
			if math.IsNaN(a[i]) || math.IsInf(a[i], 0) || math.IsNaN(a[j]) || math.IsInf(a[j], 0) {
				return fmt.Errorf("viz: schedule %d is not finite", c)
			}
		}
	}
	plane := plot.New()
	plane.Title.Text = "schedules in the plane"
	plane.X.Label.Text = fmt.Sprintf("α_%d", i)
	plane.Y.Label.Text = fmt.Sprintf("α_%d", j)
	plane.Add(plotter.NewGrid())
	times := plot.New()
	times.Title.Text = fmt.Sprintf("α_%d(t) solid, α_%d(t) dashed", i, j)
	times.X.Label.Text = "t"
	times.Add(plotter.NewGrid())
	top := 1.0
	for c, cv := range curves {
		col := Palette[c%len(Palette)]
		xy := make(plotter.XYs, len(cv.T))
		ti, tj := make(plotter.XYs, len(cv.T)), make(plotter.XYs, len(cv.T))
		var dots plotter.XYs
		next := 0.0
		for q, a := range cv.Alpha {
			xy[q].X, xy[q].Y = a[i], a[j]
			ti[q].X, ti[q].Y = cv.T[q], a[i]
			tj[q].X, tj[q].Y = cv.T[q], a[j]
			top = math.Max(top, math.Max(a[i], a[j]))
			if cv.T[q] >= next-1e-9 {
				dots = append(dots, xy[q])
				next += 0.1
			}
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return fmt.Errorf("viz: %w", err)
		}
		l.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(2)}
		plane.Add(l)
		plane.Legend.Add(cv.Title, l)
		sc, err := plotter.NewScatter(dots)
		if err != nil {
			return fmt.Errorf("viz: %w", err)
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
		plane.Add(sc)
		for k, pts := range []plotter.XYs{ti, tj} {
			l, err := plotter.NewLine(pts)
			if err != nil {
				return fmt.Errorf("viz: %w", err)
			}
			l.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(2)}
			if k == 1 {
				l.LineStyle.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
			}
			times.Add(l)
		}
	}
	plane.Legend.Top = true
	plane.X.Min, plane.Y.Min = 0, 0
	plane.X.Max, plane.Y.Max = top*1.05, top*1.22 // room for the legend
	times.X.Min, times.X.Max = 0, 1
	times.Y.Min, times.Y.Max = 0, top*1.05
	plots := []*plot.Plot{plane, times}
	w := vg.Length(PlotSize*2) * vg.Inch / plotDPI
	h := vg.Length(PlotSize) * vg.Inch / plotDPI
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(plotDPI))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Millimeter * 4, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align([][]*plot.Plot{plots}, tiles, dc)
	for k, p := range plots {
		p.Draw(canvases[0][k])
	}
	return writePNG(file, img.Image())
}
