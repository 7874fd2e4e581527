package gk

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmi-go/mmi/simplex"
)

// TestResumeRefusesOtherAlphaSampler: a run is resumed only with the α
// sampler it was trained with; another one, a custom sampler for a run of
// the built-in mixture, or none for a custom run, is refused with a
// message naming both.
func TestResumeRefusesOtherAlphaSampler(t *testing.T) {
	dir := t.TempDir()
	c := trCoupling(t, trMixtures(t))
	cfg := Config{Hidden: []int{8}, Specs: []string{"a", "b", "c"}}
	save := func(name string, alpha simplex.Sampler) string {
		tr, err := NewTrainer(cfg, c, Settings{Steps: 4, Batch: 16, Seed: 1, AlphaSampler: alpha})
		if err != nil {
			t.Fatal(err)
		}
		for tr.Step() < 2 {
			if _, err := tr.trainStep(); err != nil {
				t.Fatal(err)
			}
		}
		p := filepath.Join(dir, name)
		if err := tr.Save(p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	builtin, custom := save("builtin.mmi", nil), save("custom.mmi", simplex.Vertices{})
	for _, tc := range []struct {
		file  string
		alpha simplex.Sampler
		want  string // "" = accepted
	}{
		{builtin, nil, ""},
		{custom, simplex.Vertices{}, ""},
		{custom, nil, "custom α sampler (simplex.Vertices)"},
		{custom, simplex.Edges{}, "α sampler simplex.Vertices, Resume was given simplex.Edges"},
		{builtin, simplex.Edges{}, "built-in α mixture, Resume was given the sampler simplex.Edges"},
	} {
		_, err := Resume(tc.file, c, tc.alpha)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s with %T: %v", filepath.Base(tc.file), tc.alpha, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s with %T: err = %v, want %q", filepath.Base(tc.file), tc.alpha, err, tc.want)
		}
	}
}
