package path

import (
	"context"
	"strings"
	"testing"

	"github.com/mmi-go/mmi/cond"
	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/path/pathtest"
	"github.com/mmi-go/mmi/simplex"
)

// TestNewVelocityNil checks that a missing model or path is refused when
// the field is made, including a nil pointer inside the interface, whose
// methods would otherwise panic in the middle of a solve.
func TestNewVelocityNil(t *testing.T) {
	seg := mustPath(Segment(simplex.Vertex(3, 0), simplex.Vertex(3, 1)))
	var nilSegment *segment
	for _, c := range []struct {
		name string
		g    cond.Conditional
		p    Path
	}{
		{"nil model", nil, seg},
		{"nil *gk.Oracle", (*gk.Oracle)(nil), seg},
		{"nil *pathtest.Gaussians", (*pathtest.Gaussians)(nil), seg},
		{"nil path", gauss3(), nil},
		{"nil *segment", gauss3(), nilSegment},
	} {
		v, err := NewVelocity(c.g, c.p)
		if err == nil || !strings.Contains(err.Error(), "without a model or a path") {
			t.Errorf("%s: NewVelocity = %v, %v; want an error", c.name, v, err)
		}
	}
	if _, err := NewVelocity(gauss3(), seg); err != nil {
		t.Errorf("a valid model and path: %v", err)
	}
}

// TestVelocityNotMade checks that the solvers refuse a Velocity that
// NewVelocity did not make (the zero value, a nil pointer) with an error,
// not a panic.
func TestVelocityNotMade(t *testing.T) {
	x := []float64{0, 0}
	for _, v := range []*Velocity{nil, new(Velocity)} {
		if _, err := Integrate(context.Background(), v, x, Euler{2}, nil); err == nil || !strings.Contains(err.Error(), "NewVelocity") {
			t.Errorf("Integrate(%v): err = %v", v, err)
		}
		if _, err := IntegrateSDE(context.Background(), v, x, EpsAlpha0(1), EulerMaruyama{2}, newRand(1), nil); err == nil {
			t.Errorf("IntegrateSDE(%v) succeeded", v)
		}
		if _, _, err := LogLikelihood(context.Background(), v, x, nil, Euler{2}, nil, nil); err == nil {
			t.Errorf("LogLikelihood(%v) succeeded", v)
		}
	}
}
