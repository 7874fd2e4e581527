package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/path"
	"github.com/mmi-go/mmi/samplefile"
)

// trainedMix3 trains a tiny model on examples/mix3.json: its normalization
// (center and scale of the data) is far from the identity, which the
// oracle's is not, so the data ↔ model conversions of mmi path show. The
// pooled scale, because mix3's within-marginal scale (the default) is
// 1.13, too close to 1 for a wrong conversion to show.
func trainedMix3(t *testing.T, dir string) (string, *gk.Model) {
	t.Helper()
	ckpt := filepath.Join(dir, "mix3.mmi")
	if code, _, stderr := mmi(t, "train", "--data", mix3, "--norm", "pooled", "--steps", "60", "--batch", "64", "--hidden", "16", "--layers", "2", "--out", ckpt); code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	m, err := gk.Load(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	if norm := m.Normalization(); math.Abs(math.Log(norm.Scale)) < 0.3 || len(norm.Center) != 2 || math.Hypot(norm.Center[0], norm.Center[1]) < 0.3 {
		t.Fatalf("normalization %+v too close to the identity to test the conversion", norm)
	}
	return ckpt, m
}

func readRows(t *testing.T, file string) ([]float64, int) {
	t.Helper()
	x, d, err := samplefile.Read(file)
	if err != nil {
		t.Fatal(err)
	}
	return x, d
}

// TestPathDataCoordinates checks mmi path's conversion between data and
// model coordinates against an independent computation: the checkpoint's
// network integrated by package path in model coordinates, with the
// normalization applied by hand, u = (x − c)/s in and y = s·u + c out.
// The command must agree to rounding (1e-9); the wrong variants (no
// conversion, or the inverse map on the way out) are ≥ 0.1 away, which
// the test also checks, so the comparison has power. Also tested: --in,
// --path (a saved path gives the bytes of the same edge from flags),
// --solver rk4 --steps.
func TestPathDataCoordinates(t *testing.T) {
	dir := t.TempDir()
	ckpt, m := trainedMix3(t, dir)
	norm := m.Normalization()
	c, s := norm.Center, norm.Scale

	in := filepath.Join(dir, "in.csv")
	if code, _, stderr := mmi(t, "sample", "--data", mix3, "--k", "1", "--n", "200", "--seed", "2", "--out", in); code != 0 {
		t.Fatal(stderr)
	}
	x, d := readRows(t, in)
	out := filepath.Join(dir, "out.csv")
	args := []string{"path", "--model", ckpt, "--from", "1", "--to", "2", "--in", in, "--solver", "rk4", "--steps", "30", "--out", out}
	if code, _, stderr := mmi(t, args...); code != 0 {
		t.Fatalf("mmi %v: exit %d: %s", args, code, stderr)
	}
	got, _ := readRows(t, out)

	e1, e2 := []float64{0, 1, 0, 0}, []float64{0, 0, 1, 0}
	seg, err := path.Segment(e1, e2)
	if err != nil {
		t.Fatal(err)
	}
	v, err := path.NewVelocity(m, seg)
	if err != nil {
		t.Fatal(err)
	}
	integrate := func(u []float64) []float64 {
		u = append([]float64(nil), u...)
		if _, err := path.Integrate(context.Background(), v, u, path.RK4{Steps: 30}, nil); err != nil {
			t.Fatal(err)
		}
		return u
	}
	u := make([]float64, len(x))
	for i := range x {
		u[i] = (x[i] - c[i%d]) / s
	}
	want := integrate(u)
	for i := range want {
		want[i] = want[i]*s + c[i%d]
	}
	noConv := integrate(x)
	inverseOut := integrate(u)
	for i := range inverseOut {
		inverseOut[i] = (inverseOut[i] - c[i%d]) / s
	}
	maxDiff := func(a, b []float64) float64 {
		m := 0.0
		for i := range a {
			m = max(m, math.Abs(a[i]-b[i]))
		}
		return m
	}
	if e := maxDiff(got, want); e > 1e-9 {
		t.Errorf("mmi path --in on a checkpoint: largest difference %.3g from the independent computation", e)
	}
	for name, w := range map[string][]float64{"no conversion": noConv, "inverse map out": inverseOut} {
		if e := maxDiff(w, want); e < 0.1 {
			t.Errorf("wrong variant %q is only %.3g away: the check has no power", name, e)
		}
	}

	// --path with the same edge saved as JSON: the same bytes.
	pj := filepath.Join(dir, "edge.json")
	var buf bytes.Buffer
	if err := path.Save(&buf, seg); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(pj, buf.Bytes(), 0o644)
	out2 := filepath.Join(dir, "out2.csv")
	if code, _, stderr := mmi(t, "path", "--model", ckpt, "--path", pj, "--in", in, "--solver", "rk4", "--steps", "30", "--out", out2); code != 0 {
		t.Fatalf("--path: exit %d: %s", code, stderr)
	}
	if a, b := mustRead(t, out), mustRead(t, out2); !bytes.Equal(a, b) {
		t.Error("--path edge.json differs from --from 1 --to 2")
	}
}

func mustRead(t *testing.T, f string) []byte {
	t.Helper()
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestLogLikDataUnits checks --loglik on a checkpoint against an
// independent computation: the model's log density of the end rows,
// computed backwards by path.MarginalLogLikelihood in model coordinates,
// plus the log-Jacobian −d·log s of the map to data units. Forward and
// backward flows at tolerance 1e-8 agree to about 1e-6; a flipped sign of
// the correction is off by 2·d·|log s| (> 1 here, checked), a missing one
// by d·|log s|. --atol/--rtol are what make the agreement this tight.
func TestLogLikDataUnits(t *testing.T) {
	dir := t.TempDir()
	ckpt, m := trainedMix3(t, dir)
	norm := m.Normalization()
	out := filepath.Join(dir, "ll.csv")
	if code, _, stderr := mmi(t, "path", "--model", ckpt, "--from", "0", "--to", "2", "--n", "100", "--loglik", "--atol", "1e-9", "--rtol", "1e-9", "--out", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows, cols := readRows(t, out)
	if cols != 3 {
		t.Fatalf("%d columns, want x, y and the log-likelihood", cols)
	}
	n, d := len(rows)/3, 2
	u := make([]float64, 0, n*d)
	ll := make([]float64, n)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			u = append(u, (rows[i*3+j]-norm.Center[j])/norm.Scale)
		}
		ll[i] = rows[i*3+2]
	}
	back, _, err := path.MarginalLogLikelihood(context.Background(), m, u, 2, path.Dopri5{Atol: 1e-9, Rtol: 1e-9}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	corr := -float64(d) * math.Log(norm.Scale)
	if math.Abs(corr) < 0.5 {
		t.Fatalf("log-Jacobian %.3f too small to tell a wrong sign", corr)
	}
	worst := 0.0
	for i := range ll {
		worst = max(worst, math.Abs(ll[i]-(back[i]+corr)))
	}
	// Measured 1e-6 or so: dopri5's local error control at 1e-9 on a
	// flow and its reverse. 1e-3 is still 1000× below |2·corr|.
	if worst > 1e-3 {
		t.Errorf("--loglik differs from the backward computation by up to %.3g (log-Jacobian %.3f)", worst, corr)
	}
}

// TestPathEpsAndPNG: --sde --eps 0 is the probability flow (Euler–
// Maruyama without noise is Euler: the same bytes); --eps 1 is not;
// --png writes a picture of the expected size.
func TestPathEpsAndPNG(t *testing.T) {
	dir := t.TempDir()
	f := func(n string) string { return filepath.Join(dir, n) }
	base := []string{"path", "--model", mix3, "--from", "0", "--to", "1", "--n", "300", "--steps", "40"}
	for _, a := range [][]string{
		{"--solver", "euler", "--out", f("ode.csv"), "--png", f("x.png")},
		{"--sde", "--eps", "0", "--out", f("eps0.csv")},
		{"--sde", "--eps", "1", "--out", f("eps1.csv")},
	} {
		if code, _, stderr := mmi(t, append(append([]string(nil), base...), a...)...); code != 0 {
			t.Fatalf("mmi %v: exit %d: %s", a, code, stderr)
		}
	}
	ode, e0, e1 := mustRead(t, f("ode.csv")), mustRead(t, f("eps0.csv")), mustRead(t, f("eps1.csv"))
	if !bytes.Equal(ode, e0) {
		t.Error("--sde --eps 0 differs from the Euler probability flow")
	}
	if bytes.Equal(e0, e1) {
		t.Error("--eps 1 gives the same samples as --eps 0")
	}
	r, err := os.Open(f("x.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	img, err := png.Decode(r)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() < 200 || b.Dy() < 200 {
		t.Errorf("--png is %v", b)
	}
}

// TestTrainFloat32Flag: --float32 (the default) and --float32=false give
// networks of those precisions, recorded in the checkpoint.
func TestTrainFloat32Flag(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		flag string
		want bool
	}{{"--float32", true}, {"--float32=false", false}} {
		out := filepath.Join(dir, "m.mmi")
		if code, _, stderr := mmi(t, "train", "--data", "moons", "--steps", "2", "--batch", "8", "--hidden", "4", "--layers", "1", tc.flag, "--out", out, "--force"); code != 0 {
			t.Fatalf("%s: exit %d: %s", tc.flag, code, stderr)
		}
		m, err := gk.Load(out)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Config().Float32; got != tc.want {
			t.Errorf("%s: checkpoint Float32 = %v", tc.flag, got)
		}
	}
}

// TestDatasetsCommand: mmi datasets lists every built-in set with its
// dimension, the toy sets and the embedded digits as installed (fashion
// depends on a Debian package, so only its line is required).
func TestDatasetsCommand(t *testing.T) {
	code, stdout, stderr := mmi(t, "datasets")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if !strings.HasPrefix(lines[0], "NAME") {
		t.Fatalf("no header: %q", lines[0])
	}
	byName := map[string][]string{}
	for _, l := range lines[1:] {
		fs := strings.Fields(l)
		byName[strings.TrimSuffix(fs[0], ":0…9")] = fs
	}
	for name, dim := range map[string]string{"moons": "2", "8gaussians": "2", "checkerboard": "2", "digits": "64", "mnist": "784", "fashion": "784"} {
		fs, ok := byName[name]
		if !ok || fs[1] != dim {
			t.Errorf("%s: line %q, want dimension %s", name, fs, dim)
		}
	}
	for _, name := range []string{"moons", "digits"} {
		if !strings.Contains(strings.Join(byName[name], " "), "yes") {
			t.Errorf("%s not listed as installed: %q", name, byName[name])
		}
	}
}

// TestPathTolerances: --atol/--rtol reach dopri5: a tighter tolerance
// takes more velocity evaluations and lands closer to a converged
// reference (RK4 with 400 steps) than a loose one.
func TestPathTolerances(t *testing.T) {
	dir := t.TempDir()
	run := func(name string, extra ...string) ([]float64, float64) {
		out := filepath.Join(dir, name)
		args := append([]string{"path", "--model", mix3, "--from", "1", "--to", "3", "--n", "200", "--seed", "3", "--out", out, "--json"}, extra...)
		code, stdout, stderr := mmi(t, args...)
		if code != 0 {
			t.Fatalf("mmi %v: exit %d: %s", args, code, stderr)
		}
		var sum map[string]float64
		if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
			t.Fatal(err)
		}
		x, _ := readRows(t, out)
		return x, sum["nfe"]
	}
	ref, _ := run("ref.csv", "--solver", "rk4", "--steps", "400")
	loose, nLoose := run("loose.csv", "--atol", "1e-2", "--rtol", "1e-2")
	tight, nTight := run("tight.csv", "--atol", "1e-9", "--rtol", "1e-9")
	errOf := func(x []float64) float64 {
		m := 0.0
		for i := range x {
			m = max(m, math.Abs(x[i]-ref[i]))
		}
		return m
	}
	eLoose, eTight := errOf(loose), errOf(tight)
	t.Logf("dopri5 1e-2: %v evaluations, error %.2g; 1e-9: %v evaluations, error %.2g", nLoose, eLoose, nTight, eTight)
	if !(nTight > 2*nLoose) || !(eTight < eLoose/100) {
		t.Errorf("tolerances have no effect: 1e-2 gives %v evaluations, error %.2g; 1e-9 gives %v, error %.2g", nLoose, eLoose, nTight, eTight)
	}
}
