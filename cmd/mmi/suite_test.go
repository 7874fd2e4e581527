package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mmi suite --out writes the same bytes for the same seed (and again into
// the same folder), refuses to overwrite other contents, and --run trains
// and scores a problem with the given train flags; --report prints the
// table and the worst case, --json the same as JSON.
func TestSuiteCommand(t *testing.T) {
	dir := t.TempDir()
	gen := func(out, seed string) string {
		t.Helper()
		code, stdout, stderr := mmi(t, "suite", "--seed", seed, "--n", "3", "--max-dim", "3", "--max-k", "3", "--out", out)
		if code != 0 {
			t.Fatalf("suite --out: exit %d: %s", code, stderr)
		}
		return stdout
	}
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if gen(a, "5") != gen(a, "5") {
		t.Error("writing the same suite twice printed different summaries")
	}
	gen(b, "5")
	files, _ := filepath.Glob(filepath.Join(a, "p*.json"))
	if len(files) != 3 {
		t.Fatalf("%d specifications written, want 3", len(files))
	}
	for _, f := range files {
		x, _ := os.ReadFile(f)
		y, err := os.ReadFile(filepath.Join(b, filepath.Base(f)))
		if err != nil || string(x) != string(y) {
			t.Errorf("%s: seed 5 wrote different bytes into two folders", filepath.Base(f))
		}
	}
	if code, _, stderr := mmi(t, "suite", "--seed", "6", "--n", "3", "--max-dim", "3", "--max-k", "3", "--out", a); code != 2 || !strings.Contains(stderr, "another suite") && !strings.Contains(stderr, "other contents") {
		t.Errorf("another seed into the same folder: exit %d, %q; want 2 and a refusal", code, stderr)
	}

	p0 := strings.TrimSuffix(filepath.Base(files[0]), ".json")
	code, stdout, stderr := mmi(t, "suite", "--run", a, "--only", p0[:3], "--tag", "tiny",
		"--train", "--steps 30 --hidden 16 --layers 1 --batch 64", "--points", "50", "--eval-n", "100")
	if code != 0 {
		t.Fatalf("suite --run: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, p0) || !strings.Contains(stdout, "worst region") {
		t.Errorf("suite --run printed %q", stdout)
	}
	for _, ext := range []string{".tiny.mmi", ".tiny.score.json"} {
		if _, err := os.Stat(filepath.Join(a, p0+ext)); err != nil {
			t.Errorf("suite --run did not write %s: %v", p0+ext, err)
		}
	}
	code, stdout, stderr = mmi(t, "suite", "--report", a, "--tag", "tiny", "--json")
	if code != 0 {
		t.Fatalf("suite --report: exit %d: %s", code, stderr)
	}
	var rep struct {
		Problems []struct {
			Name      string `json:"name"`
			Transfers []struct{ From, To int }
		} `json:"problems"`
		Summary struct {
			Problems    int     `json:"problems"`
			WorstRegion float64 `json:"worst_region"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("--json printed %q: %v", stdout, err)
	}
	if rep.Summary.Problems != 1 || len(rep.Problems) != 1 || rep.Problems[0].Name != p0 || !(rep.Summary.WorstRegion > 0) {
		t.Errorf("report %+v", rep)
	}
	// Two tags side by side: the text of each, and one picture of both.
	score, _ := os.ReadFile(filepath.Join(a, p0+".tiny.score.json"))
	if err := os.WriteFile(filepath.Join(a, p0+".copy.score.json"), score, 0o644); err != nil {
		t.Fatal(err)
	}
	png := filepath.Join(dir, "scores.png")
	code, stdout, stderr = mmi(t, "suite", "--report", a, "--tag", "tiny,copy", "--png", png)
	if code != 0 || strings.Count(stdout, "problems meet both targets") != 2 || !strings.Contains(stdout, `tag "copy"`) {
		t.Errorf("--report --tag tiny,copy: exit %d, %q, %s", code, stdout, stderr)
	}
	if st, err := os.Stat(png); err != nil || st.Size() == 0 {
		t.Errorf("--png wrote nothing: %v", err)
	}
	for _, args := range [][]string{
		{"--report", a, "--tag", "tiny,copy", "--json"},
		{"--report", a, "--tag", "tiny,other"},
		{"--run", a, "--only", p0[:3], "--tag", "x,y"},
		{"--seed", "5", "--n", "1", "--out", t.TempDir(), "--png", png},
	} {
		if code, _, stderr := mmi(t, append([]string{"suite"}, args...)...); code != 2 || strings.Count(stderr, "\n") != 1 {
			t.Errorf("suite %q: exit %d, %q; want 2 and one line", args, code, stderr)
		}
	}
	if code, _, _ := mmi(t, "suite", "--report", a, "--tag", "other"); code != 2 {
		t.Errorf("report of a tag without scores: exit %d, want 2", code)
	}
	if code, _, _ := mmi(t, "suite", "--out", a, "--run", a); code != 2 {
		t.Errorf("--out with --run: exit %d, want 2", code)
	}
}

// mmi eval --checkerboard: exact samples score 1; other dimensions and
// mixed modes are refused.
func TestEvalCheckerboard(t *testing.T) {
	dir := t.TempDir()
	cb := filepath.Join(dir, "cb.csv")
	if code, _, stderr := mmi(t, "sample", "--data", "checkerboard", "--k", "1", "--n", "500", "--out", cb); code != 0 {
		t.Fatalf("sample: %s", stderr)
	}
	code, stdout, stderr := mmi(t, "eval", "--a", cb, "--checkerboard", "--json")
	if code != 0 || strings.TrimSpace(stdout) != `{"checkerboard_share":1,"n":500}` {
		t.Errorf("exit %d, %q, %q", code, stdout, stderr)
	}
	if code, _, _ := mmi(t, "eval", "--a", cb, "--b", cb, "--checkerboard"); code != 2 {
		t.Errorf("--checkerboard with --b: exit %d, want 2", code)
	}
	three := filepath.Join(dir, "three.csv")
	if err := os.WriteFile(three, []byte("0,0,0\n1,1,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := mmi(t, "eval", "--a", three, "--checkerboard"); code != 2 || !strings.Contains(stderr, "dimension 3") {
		t.Errorf("3-D samples: exit %d, %q; want 2", code, stderr)
	}
}
