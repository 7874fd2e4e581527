package main

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/marginals"
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

// TestHeldOutSourceSet: --held-out draws sources and targets from the
// test split of each image set, row for row (not the training split the
// model saw, which the table alone would not reveal).
func TestHeldOutSourceSet(t *testing.T) {
	img := filepath.Join(t.TempDir(), "d.mmi")
	if code, _, stderr := mmi(t, "train", "--data", "digits:0,digits:1", "--steps", "3", "--hidden", "8", "--layers", "1", "--out", img); code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	gen, err := loadModel(img)
	if err != nil {
		t.Fatal(err)
	}
	held, err := heldOut(gen)
	if err != nil {
		t.Fatal(err)
	}
	for k, name := range []string{"digits:0", "digits:1"} {
		rows := func(spec string) *marginals.Empirical {
			es, err := datasets.Open(spec)
			if err != nil {
				t.Fatal(err)
			}
			return es[0].Marginal.(*marginals.Empirical)
		}
		test, train := rows(name+":test"), rows(name)
		m, err := held.Marginal(k + 1)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := m.(*marginals.Empirical)
		if !ok || got.Len() != test.Len() {
			t.Fatalf("%s: held-out marginal %T, want the %d rows of %s:test", name, m, test.Len(), name)
		}
		for i := 0; i < test.Len(); i++ {
			if !slices.Equal(got.Row(i), test.Row(i)) {
				t.Fatalf("%s: held-out row %d is not row %d of the test split", name, i, i)
			}
		}
		if train.Len() == test.Len() && slices.Equal(train.Row(0), test.Row(0)) {
			t.Fatalf("%s: the splits cannot be told apart; the test proves nothing", name)
		}
	}
}
