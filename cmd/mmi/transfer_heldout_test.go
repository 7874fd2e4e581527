package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// transfer --all --held-out translates test images of the model's image
// sets (digits:0 → digits:0:test): the table comes out for every pair; a
// model of 2-D data, or --held-out without --all, is a usage error (exit 2).
func TestTransferAllHeldOut(t *testing.T) {
	dir := t.TempDir()
	img := filepath.Join(dir, "d.mmi")
	if code, _, stderr := mmi(t, "train", "--data", "digits:0,digits:1", "--steps", "3", "--hidden", "8", "--layers", "1", "--out", img); code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	code, stdout, stderr := mmi(t, "transfer", "--model", img, "--all", "--held-out", "--n", "6", "--solver", "euler", "--steps", "2", "--json")
	if code != 0 {
		t.Fatalf("transfer --all --held-out: exit %d: %s", code, stderr)
	}
	var tab struct {
		Names  []string    `json:"names"`
		Energy [][]float64 `json:"energy"`
	}
	if err := json.Unmarshal([]byte(stdout), &tab); err != nil || len(tab.Energy) != 2 || len(tab.Energy[0]) != 2 {
		t.Fatalf("table %q: %v", stdout, err)
	}
	if strings.Join(tab.Names, ",") != "digits:0,digits:1" {
		t.Errorf("names %q", tab.Names)
	}

	pts := filepath.Join(dir, "m.mmi")
	if code, _, stderr := mmi(t, "train", "--data", "moons,circles", "--steps", "3", "--hidden", "8", "--layers", "1", "--out", pts); code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	for _, args := range [][]string{
		{"transfer", "--model", pts, "--all", "--held-out", "--n", "6"},
		{"transfer", "--model", img, "--held-out", "--n", "6"},
	} {
		if code, _, stderr := mmi(t, args...); code != 2 || !strings.Contains(stderr, "held-out") {
			t.Errorf("%q: exit %d, stderr %q; want 2 and a line about --held-out", args, code, stderr)
		}
	}
}
