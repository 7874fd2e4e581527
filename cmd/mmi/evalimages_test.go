package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmi-go/mmi/classify"
)

// mmi eval --a --class on the 8×8 digits (the classifier trains in a
// second, into a temporary cache): held-out 3s are read as 3 and score
// near their floor; 5s meant as 3s are read as 5 and score far above it;
// bad requests exit 2 with one line and print nothing.
func TestEvalImages(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := t.TempDir()
	threes := filepath.Join(dir, "threes.npy")
	fives := filepath.Join(dir, "fives.csv")
	for _, args := range [][]string{
		{"sample", "--data", "digits:3:test", "--k", "1", "--n", "300", "--out", threes},
		{"sample", "--data", "digits:5:test", "--k", "1", "--n", "300", "--out", fives},
	} {
		if code, _, stderr := mmi(t, args...); code != 0 {
			t.Fatalf("mmi %v: exit %d: %s", args, code, stderr)
		}
	}
	report := func(file string) classify.Report {
		t.Helper()
		code, stdout, stderr := mmi(t, "eval", "--a", file, "--class", "digits:3", "--json")
		if code != 0 {
			t.Fatalf("eval: exit %d: %s", code, stderr)
		}
		var rep classify.Report
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatalf("eval --json printed %q: %v", stdout, err)
		}
		return rep
	}
	// Held-out 3s: the classifier reads 0.89 of them as 3 (measured;
	// 0.8 is 2.5 standard errors of a share on 45 distinct images below
	// it), and, drawn from the very images of the reference, they score
	// below the floor of training images.
	rep := report(threes)
	if rep.N != 300 || rep.Share < 0.8 || rep.Ratio > 1 || len(rep.Histogram) != 10 {
		t.Errorf("held-out 3s: %+v", rep)
	}
	// 5s: read as 5 (0.98 of them measured), hardly as 3, and their
	// features far from those of 3s (measured ratio ≈ 12).
	rep = report(fives)
	if rep.Share > 0.1 || rep.Histogram[5] < 250 || rep.Ratio < 3 {
		t.Errorf("5s meant as 3s: %+v", rep)
	}
	// --misread draws exactly the images not read as 3, ten a row.
	pic := filepath.Join(dir, "misread.png")
	if code, _, stderr := mmi(t, "eval", "--a", fives, "--class", "digits:3", "--misread", pic); code != 0 {
		t.Fatalf("eval --misread: exit %d: %s", code, stderr)
	}
	n := rep.N - rep.Histogram[3]
	if len(rep.Misread) != n {
		t.Errorf("5s meant as 3s: %d misread listed, histogram %v", len(rep.Misread), rep.Histogram)
	}
	checkGrid(t, pic, min(n, 10), (n+9)/10)
	code, stdout, _ := mmi(t, "eval", "--a", threes, "--class", "digits:3")
	if code != 0 || !strings.Contains(stdout, "read as 3") || !strings.Contains(stdout, "floor") {
		t.Errorf("text report: exit %d\n%s", code, stdout)
	}

	t.Setenv("MMI_FASHION_DIR", t.TempDir())
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--a", threes, "--class", "digits:12"}, "digit 0…9"},
		{[]string{"--a", threes, "--class", "digits"}, "SET:CLASS"},
		{[]string{"--a", threes, "--class", "cifar:1"}, `no classifier for "cifar"`},
		{[]string{"--a", threes, "--class", "mnist:3"}, "64 values per sample, but mnist images are 28×28 (784 pixels)"},
		{[]string{"--a", threes, "--class", "fashion:3"}, "dataset-fashion-mnist"},
		{[]string{"--a", threes, "--b", fives, "--class", "digits:3"}, "--class measures the images of --a"},
		{[]string{"--class", "digits:3"}, "--class measures the images of --a"},
		{[]string{"--a", threes, "--class", "digits:3:test"}, "no split option"},
		{[]string{"--a", threes, "--class", "digits:3:4x4"}, "are 4×4 (16 pixels)"},
		{[]string{"--a", threes, "--class", "digits:3:big"}, `unknown option "big"`},
		{[]string{"--a", filepath.Join(dir, "missing.npy"), "--class", "digits:3"}, "missing.npy"},
		{[]string{"--a", threes, "--misread", filepath.Join(dir, "m.png")}, "give --a and --class"},
		{[]string{"--a", threes, "--class", "digits:3", "--misread", filepath.Join(dir, "m.jpg")}, "name it .png"},
		{[]string{"--a", fives, "--class", "digits:3", "--misread", pic}, "exists; give --force"},
	} {
		code, stdout, stderr := mmi(t, append([]string{"eval"}, c.args...)...)
		if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("mmi eval %v: exit %d, stdout %q, stderr %q; want 2, nothing, one line with %q", c.args, code, stdout, stderr, c.want)
		}
	}
}

// TestViewHintValid: the view mmi eval --class suggests for images of
// another size is one --class accepts, with that many pixels (issue 20:
// it suggested digits:0:crop20:8x8, which it refuses).
func TestViewHintValid(t *testing.T) {
	for _, c := range []struct {
		set  string
		d    int
		want string
	}{
		{"digits", 256, "--class digits:0:16x16"}, // no crop of the 8×8 digits
		{"digits", 16, "--class digits:0:4x4"},
		{"mnist", 64, "--class mnist:0:crop20:8x8"},
		{"mnist", 63, ""},
	} {
		got := viewHint(c.set, 0, c.d)
		if !strings.Contains(got, c.want) || (c.want == "") != (got == "") {
			t.Errorf("viewHint(%s, %d) = %q, want %q", c.set, c.d, got, c.want)
		}
		if i := strings.Index(got, "--class "); i >= 0 {
			if _, _, err := parseClass(got[i+len("--class "):]); err != nil {
				t.Errorf("suggested %q is refused: %v", got, err)
			}
		}
	}
}
