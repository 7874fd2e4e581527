package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/samplefile"
	"github.com/mmi-go/mmi/simplex"
)

// TestPathSchedules runs noise → marginal 3 of mix3 (one Gaussian,
// N((−1, −3), [[1, 0.6], [0.6, 0.5]])) along the linear, trigonometric and
// a hand-written spline schedule on the exact oracle, and along the
// schedule mmi pathopt --domain ball optimizes: every run must land on
// the target (mean within 4 standard errors of 2000 points, √(Σ_aa/n));
// a schedule that ignored --to, or a velocity off by a factor, misses.
func TestPathSchedules(t *testing.T) {
	dir := t.TempDir()
	knots := filepath.Join(dir, "knots.json")
	os.WriteFile(knots, []byte(`{"t": [0, 0.3, 0.7, 1], "alpha_from": [1, 0.9, 0.5, 0], "alpha_to": [0, 0.35, 0.8, 1]}`), 0o644)
	opt := filepath.Join(dir, "opt.json")
	code, stdout, stderr := mmi(t, "pathopt", "--model", mix3, "--domain", "ball", "--from", "0", "--to", "3", "--modes", "4", "--iters", "10", "--n", "256", "--out", opt)
	if code != 0 {
		t.Fatalf("pathopt --domain ball: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "trigonometric") {
		t.Errorf("pathopt --domain ball output lacks the trigonometric cost:\n%s", stdout)
	}
	for _, args := range [][]string{
		{"--schedule", "linear"},
		{"--schedule", "trig"},
		{"--schedule", knots},
		{"--path", opt},
	} {
		out := filepath.Join(dir, "x.csv")
		all := append([]string{"path", "--model", mix3, "--from", "0", "--to", "3", "--n", "2000", "--seed", "3", "--out", out, "--force"}, args...)
		if code, _, stderr := mmi(t, all...); code != 0 {
			t.Errorf("mmi %v: exit %d: %s", all, code, stderr)
			continue
		}
		x, d, err := samplefile.Read(out)
		if err != nil {
			t.Fatal(err)
		}
		n := len(x) / d
		want, vars := []float64{-1, -3}, []float64{1, 0.5}
		for a := 0; a < d; a++ {
			m := 0.0
			for i := 0; i < n; i++ {
				m += x[i*d+a]
			}
			m /= float64(n)
			if math.Abs(m-want[a]) > 4*math.Sqrt(vars[a]/float64(n)) {
				t.Errorf("%v: mean of coordinate %d is %.4f, want %.4f", args, a, m, want[a])
			}
		}
	}
}

// TestScheduleBadInput: paths off a model's domain, unknown domains and
// malformed schedules give one line on stderr and exit status 2.
func TestScheduleBadInput(t *testing.T) {
	dir := t.TempDir()
	simplexModel := filepath.Join(dir, "s.mmi")
	if code, _, stderr := mmi(t, "train", "--data", "moons,circles", "--steps", "20", "--batch", "32", "--hidden", "8", "--layers", "1", "--out", simplexModel); code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	if m, err := gk.Load(simplexModel); err != nil || m.Domain() != simplex.Simplex {
		t.Fatalf("trained model: %v, domain %v", err, m.Domain())
	}
	ballPath := filepath.Join(dir, "ball.json")
	os.WriteFile(ballPath, []byte(`{"kind": "trig", "marginals": 3, "from": 0, "to": 2}`), 0o644)
	negative := filepath.Join(dir, "neg.json")
	os.WriteFile(negative, []byte(`{"t": [0, 0.5, 1], "alpha_from": [1, -0.2, 0], "alpha_to": [0, 0.5, 1]}`), 0o644)
	huge := filepath.Join(dir, "huge.json")
	os.WriteFile(huge, []byte(`{"t": [0, 0.5, 1], "alpha_from": [1, 3, 0], "alpha_to": [0, 3, 1]}`), 0o644)
	notKnots := filepath.Join(dir, "path.json")
	os.WriteFile(notKnots, []byte(`{"kind": "segment", "from": [1, 0, 0], "to": [0, 0, 1]}`), 0o644)
	ballModel := filepath.Join(dir, "b.mmi")
	if code, _, stderr := mmi(t, "train", "--domain", "ball", "--data", "moons,circles", "--steps", "20", "--batch", "32", "--hidden", "8", "--layers", "1", "--out", ballModel); code != 0 {
		t.Fatalf("train --domain ball: exit %d: %s", code, stderr)
	}
	if m, err := gk.Load(ballModel); err != nil || m.Domain().Kind != simplex.KindBall {
		t.Fatalf("ball model: %v, domain %v", err, m.Domain())
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--domain", "sphere", "--steps", "10"}, "--domain"},
		{[]string{"train", "--resume", simplexModel, "--domain", "ball"}, "--resume"},
		{[]string{"pathopt", "--model", mix3, "--domain", "torus"}, "--domain"},
		{[]string{"pathopt", "--model", simplexModel, "--domain", "ball", "--from", "0", "--to", "2"}, "trained on the simplex"},
		{[]string{"pathopt", "--model", mix3, "--domain", "ball", "--all"}, "--all"},
		{[]string{"path", "--model", simplexModel, "--from", "0", "--to", "2", "--schedule", "trig"}, "domain"},
		{[]string{"path", "--model", simplexModel, "--path", ballPath}, "domain"},
		{[]string{"transfer", "--model", simplexModel, "--from", "1", "--to", "2", "--path", ballPath}, "domain"},
		{[]string{"path", "--model", ballModel, "--from", "0", "--to", "2", "--schedule", huge}, "outside the ball"},
		{[]string{"path", "--model", mix3, "--from", "0", "--to", "2", "--schedule", negative}, "≥ 0"},
		{[]string{"path", "--model", mix3, "--from", "0", "--to", "2", "--schedule", notKnots}, "--path"},
		{[]string{"path", "--model", mix3, "--from", "0", "--to", "2", "--schedule", "cosine"}, "linear, trig"},
		{[]string{"path", "--model", mix3, "--from", "0", "--to", "2", "--schedule", "trig", "--via", "1"}, "--via"},
		{[]string{"path", "--model", mix3, "--from", "2", "--to", "2", "--schedule", "trig"}, "both 2"},
		{[]string{"path", "--model", mix3, "--from", "0", "--to", "9", "--schedule", "trig"}, "out of range"},
	} {
		code, _, stderr := mmi(t, tc.args...)
		if code != 2 {
			t.Errorf("mmi %v: exit %d, want 2 (stderr %q)", tc.args, code, stderr)
			continue
		}
		if n := strings.Count(stderr, "\n"); n != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("mmi %v: stderr %q, want one line containing %q", tc.args, stderr, tc.want)
		}
	}
	// The ball model runs the trigonometric path the simplex model refuses.
	if code, _, stderr := mmi(t, "path", "--model", ballModel, "--from", "0", "--to", "2", "--schedule", "trig", "--n", "50"); code != 0 {
		t.Errorf("ball model, trig schedule: exit %d: %s", code, stderr)
	}
}
