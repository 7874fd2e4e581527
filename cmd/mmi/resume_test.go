package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestResumeRefusesChanges: --resume continues the run as it started: the
// flags of a new run (--hidden, --layers, --float32, --batch, --lr,
// --seed) with other values than the checkpoint's are refused, the same
// values accepted; and a data file whose content changed since the
// checkpoint was written is refused, even under the same name (issue 20,
// case 15).
func TestResumeRefusesChanges(t *testing.T) {
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	if code, _, stderr := mmi(t, "sample", "--data", "moons", "--n", "300", "--out", p("a.csv")); code != 0 {
		t.Fatal(stderr)
	}
	ckpt := p("m.mmi")
	base := []string{"train", "--data", p("a.csv") + ",circles", "--steps", "5", "--batch", "16", "--hidden", "8", "--layers", "1", "--lr", "0.01", "--seed", "3", "--out", ckpt}
	if code, _, stderr := mmi(t, base...); code != 0 {
		t.Fatal(stderr)
	}
	for _, c := range [][]string{
		{"--hidden", "16"}, {"--layers", "2"}, {"--float32=false"}, {"--batch", "64"}, {"--lr", "0.1"}, {"--seed", "9"},
	} {
		args := append([]string{"train", "--resume", ckpt, "--steps", "9"}, c...)
		code, _, stderr := mmi(t, args...)
		if code != exitUsage || !strings.Contains(stderr, strings.Split(c[0], "=")[0]) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("mmi %v: exit %d, stderr %q; want 2 naming %s", args, code, stderr, c[0])
		}
	}
	same := []string{"train", "--resume", ckpt, "--steps", "7", "--hidden", "8", "--layers", "1", "--batch", "16", "--lr", "0.01", "--seed", "3", "--float32"}
	if code, _, stderr := mmi(t, same...); code != 0 {
		t.Errorf("resume with the checkpoint's own values: exit %d: %s", code, stderr)
	}
	// The data file changes under the same name.
	b, _ := os.ReadFile(p("a.csv"))
	os.WriteFile(p("a.csv"), append(b, []byte("9,9\n")...), 0o644)
	for _, args := range [][]string{
		{"train", "--resume", ckpt, "--steps", "12"},
		{"train", "--resume", ckpt, "--steps", "12", "--data", p("a.csv") + ",circles"},
	} {
		code, _, stderr := mmi(t, args...)
		if code != exitUsage || !strings.Contains(stderr, "changed") {
			t.Errorf("mmi %v after a.csv changed: exit %d, stderr %q", args, code, stderr)
		}
	}
	os.WriteFile(p("a.csv"), b, 0o644) // back as it was: accepted again
	if code, _, stderr := mmi(t, "train", "--resume", ckpt, "--steps", "12"); code != 0 {
		t.Errorf("resume on the original data: exit %d: %s", code, stderr)
	}
}

// TestFailedTrainingNamesRealCheckpoint: a training that fails (a
// learning rate so large that the loss overflows) names a last good
// checkpoint only when this run wrote one, and then it exists and holds
// the step named; otherwise it says none was written (issue 20, case 14).
func TestFailedTrainingNamesRealCheckpoint(t *testing.T) {
	dir := t.TempDir()
	for _, every := range []string{"1h", "1ns"} {
		ckpt := filepath.Join(dir, "m"+every+".mmi")
		args := []string{"train", "--data", "moons,circles", "--steps", "50", "--batch", "16", "--hidden", "8", "--layers", "1", "--lr", "1e300", "--checkpoint-every", every, "--out", ckpt}
		code, _, stderr := mmi(t, args...)
		last := stderr[strings.LastIndex(strings.TrimSuffix(stderr, "\n"), "\n")+1:]
		if code != exitFail || !strings.HasPrefix(last, "mmi: training stopped") {
			t.Fatalf("--lr 1e300 --checkpoint-every %s: exit %d, stderr %q", every, code, stderr)
		}
		_, err := os.Stat(ckpt)
		switch {
		case strings.Contains(last, "no checkpoint was written"):
			if err == nil {
				t.Errorf("%s: says none was written, but %s exists", every, ckpt)
			}
		case strings.Contains(last, "last good checkpoint "+ckpt+" at step "):
			if err != nil {
				t.Errorf("%s: names %s, which does not exist", every, ckpt)
			} else if s := stepOf(t, ckpt); !strings.Contains(last, "at step "+strconv.Itoa(s)+")") {
				t.Errorf("%s: %q, but the checkpoint holds step %d", every, last, s)
			}
		default:
			t.Errorf("%s: %q names no checkpoint and does not say there is none", every, last)
		}
	}
}
