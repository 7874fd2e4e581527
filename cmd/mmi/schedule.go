package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mmi-go/mmi/cond"
	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/internal/atomicfile"
	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/simplex"
)

// buildSchedule returns the path of --schedule from --from to --to:
// "linear" is the straight edge (the default), "trig" the trigonometric
// path cos(πt/2) e_from + sin(πt/2) e_to, and a .json file the spline
// through its knots {"t": […], "alpha_from": […], "alpha_to": […]}.
func buildSchedule(f *pathFlags, k1 int) (path.Path, error) {
	if f.via != "" || f.pathFile != "" {
		return nil, usagef("--schedule %s moves two marginals only: it cannot be combined with --via or --path", f.schedule)
	}
	if err := generate.CheckStops(k1, f.from); err != nil {
		return nil, badInput(err)
	}
	if err := generate.CheckStops(k1, f.to); err != nil {
		return nil, badInput(err)
	}
	if f.from == f.to {
		return nil, usagef("--from and --to are both %d", f.from)
	}
	switch {
	case f.schedule == "linear":
		p, err := generate.Polyline(k1, f.from, f.to)
		return p, badInput(err)
	case f.schedule == "trig":
		p, err := path.Trig(k1, f.from, f.to)
		return p, badInput(err)
	case strings.HasSuffix(strings.ToLower(f.schedule), ".json"):
		data, err := atomicfile.ReadFile(f.schedule)
		if err != nil {
			return nil, badInput(err)
		}
		var k path.ScheduleKnots
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&k); err != nil {
			return nil, usagef("%s: not a schedule {\"t\": […], \"alpha_from\": […], \"alpha_to\": […]} (%v); a saved path goes to --path", f.schedule, err)
		}
		p, err := path.NewSplineSchedule(k1, f.from, f.to, k)
		if err != nil {
			return nil, badInput(fmt.Errorf("%s: %w", f.schedule, err))
		}
		return p, nil
	}
	return nil, usagef("--schedule %q: want linear, trig or a .json file of knots", f.schedule)
}

// checkDomain refuses a path that leaves the model's domain: one line
// that says where and what to do.
func checkDomain(gen *generate.Generator, p path.Path) error {
	dom := cond.DomainOf(gen.Conditional())
	if err := path.CheckIn(p, dom); err != nil {
		hint := ""
		if dom.Kind == simplex.KindSimplex {
			hint = " (paths off the simplex need a model trained with --domain ball, or an exact oracle)"
		}
		return usagef("the path leaves the model's domain, the %s: %v%s", dom, strings.TrimPrefix(err.Error(), "path: "), hint)
	}
	return nil
}
