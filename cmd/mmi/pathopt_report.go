package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"

	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/internal/atomicfile"
	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/pathopt"
	"github.com/mmi-go/mmi/simplex"
	"github.com/mmi-go/mmi/viz"
)

// What mmi pathopt writes: the path files, the table or JSON summary, and
// the pictures (paths on the simplex, schedules off it).

// writePathFile saves p atomically. A folder that is missing or may not
// be written to is the user's input.
func writePathFile(file string, p path.Path) error {
	var b bytes.Buffer
	if err := path.Save(&b, p); err != nil {
		return err
	}
	err := atomicfile.WriteBytes(file, b.Bytes())
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
		return badInput(err)
	}
	return err
}

func printPathopt(w io.Writer, sums []pathoptSummary, f *pathoptFlags) error {
	if f.asJSON {
		if f.all {
			return json.NewEncoder(w).Encode(sums)
		}
		return json.NewEncoder(w).Encode(sums[0])
	}
	fmt.Fprintf(w, "%-10s %14s %14s %9s %6s %8s\n", "path", "straight", "optimized", "change", "iters", "seconds")
	for _, s := range sums {
		name := strconv.Itoa(s.From)
		for _, v := range s.Via {
			name += "-" + strconv.Itoa(v)
		}
		name += "-" + strconv.Itoa(s.To)
		fmt.Fprintf(w, "%-10s %8.4g±%-5.2g %8.4g±%-5.2g %8.1f%% %6d %8.1f\n", name, s.CostStraight, s.StderrStraight,
			s.CostOptimized, s.Stderr, 100*(s.CostOptimized-s.CostStraight)/s.CostStraight, s.Iters, s.Seconds)
		if s.Domain != "" {
			fmt.Fprintf(w, "%-10s %8.4g±%-5.2g (trigonometric path; optimized over the %s)\n", "", s.CostTrig, s.StderrTrig, s.Domain)
		}
	}
	fmt.Fprintln(w, "costs in data units (transport cost ∫E|b|²dt ± standard error; same draws for both)")
	return nil
}

// drawPathopt draws the straight and the optimized path side by side.
func drawPathopt(file string, job pathoptJob, k1 int, r *pathopt.Result) error {
	pts := make([][]float64, len(job.stops))
	for i, s := range job.stops {
		pts[i] = simplex.Vertex(k1, s)
	}
	straight, err := path.Polyline(pts...)
	if err != nil {
		return err
	}
	const steps = 200
	sample := func(p path.Path) viz.SimplexCurve {
		c := viz.SimplexCurve{}
		for i := 0; i <= steps; i++ {
			a := make([]float64, k1)
			t := float64(i) / steps
			p.Alpha(a, t)
			c.T = append(c.T, t)
			c.Alpha = append(c.Alpha, a)
		}
		return c
	}
	s, o := sample(straight), sample(r.Path)
	route := strings.ReplaceAll(job.name(), "-", " → ")
	s.Title = fmt.Sprintf("straight %s: cost %.4g", route, r.Straight.Cost)
	o.Title = fmt.Sprintf("optimized %s: cost %.4g ± %.2g", route, r.Optimized.Cost, r.Optimized.StdErr)
	return viz.SimplexPaths(file, s, o)
}

// drawSchedules draws the linear, trigonometric and optimized schedules
// of a ball job with their costs.
func drawSchedules(file string, job pathoptJob, k1 int, r *pathopt.Result, trig path.Path, trigCost float64) error {
	from, to := job.stops[0], job.stops[len(job.stops)-1]
	lin, err := generate.Polyline(k1, from, to)
	if err != nil {
		return err
	}
	return viz.Schedules(file, from, to,
		scheduleCurve(lin, fmt.Sprintf("linear: cost %.3g", r.Straight.Cost)),
		scheduleCurve(trig, fmt.Sprintf("trigonometric: cost %.3g", trigCost)),
		scheduleCurve(r.Path, fmt.Sprintf("optimized: cost %.3g", r.Optimized.Cost)))
}

// scheduleCurve samples p at 201 times.
func scheduleCurve(p path.Path, title string) viz.SimplexCurve {
	c := viz.SimplexCurve{Title: title}
	for i := 0; i <= 200; i++ {
		t := float64(i) / 200
		a := make([]float64, p.Len())
		p.Alpha(a, t)
		c.T = append(c.T, t)
		c.Alpha = append(c.Alpha, a)
	}
	return c
}
