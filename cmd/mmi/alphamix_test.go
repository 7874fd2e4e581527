package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestTrainAlphaMix: mmi train --alpha-mix names the α-distribution on the
// first line and records it in the checkpoint, so --resume accepts the
// same mixture (however written) and refuses another; malformed values are
// refused with one line, exit 2, and no file.
func TestTrainAlphaMix(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "am.mmi")
	code, _, stderr := mmi(t, "train", "--data", "moons,circles", "--alpha-mix", "edges:0.8,interior:0.1,edge-beta:0.5",
		"--steps", "20", "--batch", "32", "--hidden", "8", "--out", model)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// The default's faces weight stays (K = 2: it goes to the interior when sampling).
	const want = "α mix interior:0.1,faces:0.1,edges:0.8,vertices:0.1,data-edges:0.75,edge-beta:0.5"
	if first, _, _ := strings.Cut(stderr, "\n"); !strings.Contains(first, want) {
		t.Errorf("first line %q does not name %q", first, want)
	}
	if code, _, stderr := mmi(t, "train", "--resume", model, "--alpha-mix", "interior:0.1,edges:0.8,edge-beta:0.5", "--steps", "30"); code != 0 {
		t.Errorf("resume with the same --alpha-mix: exit %d: %s", code, stderr)
	}
	wantUsage(t, "--alpha-mix", nil, "train", "--resume", model, "--alpha-mix", "edges:0.4", "--steps", "40")
	out := filepath.Join(dir, "x.mmi")
	for _, bad := range []string{"", "edges", "edges:-1", "corners:1", "data-edges:2", "interior:0,faces:0,edges:0,vertices:0"} {
		wantUsage(t, "--alpha-mix", []string{out}, "train", "--alpha-mix", bad, "--steps", "5", "--out", out)
	}
}
