package viz

import (
	"errors"
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// PanelSize is the side in pixels of one panel of ScatterGrid.
const PanelSize = 240

// Panel is one cell of a grid of 2-D scatter plots: a title and the sets
// drawn in it (as in Scatter2D, later sets on top; no legend).
type Panel struct {
	Title string
	Sets  []Set
}

// ScatterGrid writes a PNG of rows of scatter panels (panels[r][c]; all
// rows of one length), each PanelSize pixels square, above a one-line
// caption (none when empty). All panels share one square window, the
// bounding box of every point with a 5% margin, so that positions and
// spreads compare across cells; ticks are drawn on the left column and
// bottom row only. It is the all-to-all picture of `mmi transfer --all`.
func ScatterGrid(path, caption string, panels [][]Panel) error {
	if len(panels) == 0 || len(panels[0]) == 0 {
		return errors.New("viz: scatter grid with no panels")
	}
	rows, cols := len(panels), len(panels[0])
	var all []plotter.XYs
	total := 0
	plots := make([][]*plot.Plot, rows)
	for r, row := range panels {
		if len(row) != cols {
			return fmt.Errorf("viz: scatter grid row %d has %d panels, row 0 has %d", r, len(row), cols)
		}
		plots[r] = make([]*plot.Plot, cols)
		for _, pn := range row {
			for _, s := range pn.Sets {
				total += len(s.Points) / 2
			}
		}
	}
	if total == 0 {
		return errors.New("viz: scatter grid with no points")
	}
	// Each panel holds a fraction of the points: size markers for one panel.
	radius := markerRadius(total / (rows * cols) * 2)
	for r, row := range panels {
		for c, pn := range row {
			p := plot.New()
			p.Title.Text = pn.Title
			p.Title.TextStyle.Font.Size = vg.Points(9)
			p.X.Tick.Label.Font.Size = vg.Points(7)
			p.Y.Tick.Label.Font.Size = vg.Points(7)
			if r != rows-1 {
				p.X.Tick.Marker = plot.ConstantTicks(nil)
			}
			if c != 0 {
				p.Y.Tick.Marker = plot.ConstantTicks(nil)
			}
			p.Add(plotter.NewGrid())
			for k, s := range pn.Sets {
				xys, err := points(fmt.Sprintf("panel (%d, %d) set %d", r, c, k), s.Points)
				if err != nil {
					return err
				}
				if len(xys) == 0 {
					continue
				}
				col := s.Color
				if col == nil {
					col = Palette[k%len(Palette)]
				}
				sc, err := plotter.NewScatter(xys)
				if err != nil {
					return fmt.Errorf("viz: %w", err)
				}
				sc.GlyphStyle = draw.GlyphStyle{Color: withAlpha(col, markerAlpha), Radius: radius, Shape: draw.CircleGlyph{}}
				p.Add(sc)
				all = append(all, xys)
			}
			plots[r][c] = p
		}
	}
	// One window for every panel.
	bounds := plot.New()
	equalAspect(bounds, all)
	for _, row := range plots {
		for _, p := range row {
			p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = bounds.X.Min, bounds.X.Max, bounds.Y.Min, bounds.Y.Max
		}
	}
	px := vg.Inch / plotDPI // one pixel
	capH := vg.Length(0)
	if caption != "" {
		capH = 24 * px
	}
	w := vg.Length(cols*PanelSize) * px
	h := vg.Length(rows*PanelSize)*px + capH
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(plotDPI))
	dc := draw.New(img)
	if caption != "" {
		sty := plot.New().Title.TextStyle
		sty.Font.Size = vg.Points(10)
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
		dc.FillText(sty, vg.Point{X: w / 2, Y: h - capH/2}, caption)
		dc = draw.Crop(dc, 0, 0, 0, -capH)
	}
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Points(4), PadY: vg.Points(4),
		PadTop: vg.Points(2), PadBottom: vg.Points(2), PadLeft: vg.Points(2), PadRight: vg.Points(6)}
	cv := plot.Align(plots, tiles, dc)
	for r := range plots {
		for c := range plots[r] {
			plots[r][c].Draw(cv[r][c])
		}
	}
	return writePNG(path, img.Image())
}
