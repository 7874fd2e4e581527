package datasets_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/marginals"
)

// TestReopenSpecEntry: the names of specification marginals that Open
// writes and EntryNames records are reopened as the same mixtures, from
// another folder too. Two forms the old regular expression got wrong: a
// file named in upper case (".JSON", which Open accepts), and an index
// too large for an int, which it read as marginal 0.
func TestReopenSpecEntry(t *testing.T) {
	const mix3 = "../examples/mix3.json"
	dir := t.TempDir()
	b, err := os.ReadFile(mix3)
	if err != nil {
		t.Fatal(err)
	}
	upper := filepath.Join(dir, "MIX3.JSON")
	if err := os.WriteFile(upper, b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, spec := range []string{mix3, upper} {
		es, err := datasets.Open(spec)
		if err != nil {
			t.Fatal(err)
		}
		names := datasets.EntryNames(es)
		for i, name := range names {
			e, err := datasets.ParseSpecEntry(name)
			if err != nil || !filepath.IsAbs(e.File) || e.Index != i {
				t.Errorf("%s: recorded name %q parses to %+v, %v; want an absolute path and index %d", spec, name, e, err, i)
			}
			m, _ := datasets.Reopen(name)
			got, ok := m.(*marginals.Mixture)
			if !ok || !sameMixture(got, es[i].Mixture) {
				t.Errorf("%s: Reopen(%q) = %v, want marginal %d of the file", spec, name, m, i)
			}
		}
	}
	for _, name := range []string{
		datasets.SpecEntry{File: upper, Index: 3}.String(), // mix3 has 3 marginals
		upper + "[18446744073709551616]",                   // 2⁶⁴: once marginal 0
	} {
		if m, _ := datasets.Reopen(name); m != nil {
			t.Errorf("Reopen(%q) = %v, want nil", name, m)
		}
	}
}

func sameMixture(a, b *marginals.Mixture) bool {
	if a == nil || b == nil || a.Len() != b.Len() {
		return false
	}
	wa, wb := a.Weights(), b.Weights()
	ca, cb := a.Components(), b.Components()
	for c := range wa {
		if wa[c] != wb[c] || ca[c].Mean()[0] != cb[c].Mean()[0] {
			return false
		}
	}
	return true
}
