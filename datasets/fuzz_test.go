package datasets

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mmi-go/mmi/internal/fuzzcheck"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/samplefile"
)

// specAllocPerByte bounds what ParseSpec allocates per input byte: the
// JSON decoder's copy of the document and its values, a float64 (8 bytes)
// per number written in as little as 2 bytes ("1,"), the slice headers of
// nested arrays, the symmetric covariance and its Cholesky factor (two
// more float64 per covariance entry).
const specAllocPerByte = 256

// FuzzParseSpec checks that no Gaussian-mixture specification makes
// ParseSpec panic, hang or allocate beyond a multiple of the input's size
// (a "dim" of 10^12 with small arrays must be refused, not allocated);
// that errors are one line naming the file; and that what it accepts is
// a valid mixture list (positive weights summing to one, finite means,
// finite samples) that WriteSpec and ReadSpec reproduce.
func FuzzParseSpec(f *testing.F) {
	f.Add([]byte(designSpec))
	f.Add([]byte(`{"dim": 1, "marginals": [{"means": [[0]], "covs": [[[1]]]}]}`))
	f.Add([]byte(`{"dim": 1000000000000, "marginals": [{"means": [[0]], "covs": [[[1]]]}]}`))
	f.Add([]byte(`{"dim": 1, "marginals": [{"weights": [1e308, 1e308], "means": [[0], [1]], "covs": [[[1]], [[1]]]}]}`))
	f.Add([]byte(`{"dim": 2, "marginals": [{"means": [[0, 0]], "covs": [[[1, 0.5], [0.5]]]}]}`))
	f.Add([]byte(`{"dim": "2"}`))
	f.Add([]byte(``))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		var ms []*marginals.Mixture
		var err error
		fuzzcheck.Bounded(t, fuzzcheck.Limit(len(b), specAllocPerByte, 1<<20), func() {
			ms, err = ParseSpec(bytes.NewReader(b), "fuzz.json")
		})
		if err != nil {
			fuzzcheck.Error(t, err, "datasets: fuzz.json")
			return
		}
		r := rand.New(rand.NewPCG(1, 2))
		for k, m := range ms {
			sum := 0.0
			for c, w := range m.Weights() {
				if !(w >= 0) || math.IsInf(w, 0) {
					t.Fatalf("marginal %d: accepted weight %d = %v", k, c, w)
				}
				sum += w
			}
			if math.Abs(sum-1) > 1e-12 {
				t.Fatalf("marginal %d: weights sum to %v", k, sum)
			}
			x := make([]float64, 4*m.Dim())
			m.Sample(x, r)
			for _, v := range x {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("marginal %d: accepted mixture samples %v", k, v)
				}
			}
		}
		path := filepath.Join(dir, "spec.json")
		if err := WriteSpec(path, ms); err != nil {
			t.Fatalf("accepted specification cannot be written: %v", err)
		}
		back, err := ReadSpec(path)
		if err != nil {
			t.Fatalf("written specification does not read back: %v", err)
		}
		if len(back) != len(ms) {
			t.Fatalf("%d marginals read back, wrote %d", len(back), len(ms))
		}
		for k := range ms {
			a, b := ms[k], back[k]
			if len(a.Weights()) != len(b.Weights()) {
				t.Fatalf("marginal %d: %d components read back, wrote %d", k, len(b.Weights()), len(a.Weights()))
			}
			for c := range a.Weights() {
				// Normalizing normalized weights again may move them by
				// an ulp or two; means and covariances are exact.
				if math.Abs(a.Weights()[c]-b.Weights()[c]) > 4e-16*a.Weights()[c] {
					t.Fatalf("marginal %d: weight %d is %v, wrote %v", k, c, b.Weights()[c], a.Weights()[c])
				}
				ga, gb := a.Components()[c], b.Components()[c]
				for i := range ga.Mean() {
					if ga.Mean()[i] != gb.Mean()[i] {
						t.Fatalf("marginal %d, component %d: mean differs after a round trip", k, c)
					}
					for j := range ga.Mean() {
						if ga.Cov().At(i, j) != gb.Cov().At(i, j) {
							t.Fatalf("marginal %d, component %d: covariance differs after a round trip", k, c)
						}
					}
				}
			}
		}
	})
}

// FuzzOpen checks the --data list syntax: whatever the list, Open does not
// panic, and its errors are one line that names an element of the list
// (or says the list is empty). What it accepts has at least one entry per
// element, all of one dimension. The working directory holds a few small
// files the elements may name: a.csv and b.npy (2-D samples), m.json (two
// 2-D marginals), w.csv (3-D), bad.csv (ragged) and x.txt.
func FuzzOpen(f *testing.F) {
	for _, seed := range []string{
		"moons", " Moons , a.csv,b.npy ,m.json", "digits:3,DIGITS:0", "a.csv,w.csv",
		"moons,,circles", "", " , ", "mnist", "digits:10", "digits:-1", "cifar:3",
		"bad.csv", "x.txt", "missing.npy", "m.json[0]", "8gaussians:1",
	} {
		f.Add(seed)
	}
	dir := f.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			f.Fatal(err)
		}
	}
	write("a.csv", "x,y\n1,2\n3,4\n")
	write("w.csv", "1,2,3\n")
	write("bad.csv", "1,2\n3\n")
	write("x.txt", "1,2\n")
	write("m.json", `{"dim": 2, "marginals": [{"means": [[0, 0]], "covs": [[[1, 0], [0, 1]]]},
		{"means": [[1, 1]], "covs": [[[2, 0], [0, 2]]]}]}`)
	if err := samplefile.Write(filepath.Join(dir, "b.npy"), []float64{5, 6}, 2); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		// Not f.Chdir: the fuzzing engine writes failing inputs to
		// testdata relative to the working directory.
		t.Chdir(dir)
		es, err := Open(spec)
		var elems []string
		for e := range strings.SplitSeq(spec, ",") {
			elems = append(elems, strings.TrimSpace(e))
		}
		if err != nil {
			if strings.TrimSpace(spec) == "" {
				fuzzcheck.Error(t, err, "datasets: ", "no data sets")
				return
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "datasets: ") && !strings.HasPrefix(msg, "samplefile: ") {
				t.Fatalf("error %q has no package prefix", msg)
			}
			fuzzcheck.Error(t, err, "")
			if strings.Contains(msg, "empty element") {
				return
			}
			for _, e := range elems {
				q := strconv.Quote(e)
				if strings.Contains(msg, e) || strings.Contains(msg, q[1:len(q)-1]) || strings.Contains(msg, strings.ToLower(e)) {
					return
				}
			}
			t.Fatalf("error %q names no element of %q", msg, spec)
		}
		if len(es) < len(elems) {
			t.Fatalf("%d entries for %d elements", len(es), len(elems))
		}
		for _, e := range es {
			if e.Name == "" || e.Marginal == nil || e.Marginal.Dim() != es[0].Marginal.Dim() {
				t.Fatalf("entry %+v", e)
			}
		}
	})
}

// TestSpecExtremeWeights: weights near the top of float64's range, whose
// sum overflows, are still normalized (found by FuzzParseSpec: each
// normalized to 0); a weight so small next to the others that it
// normalizes to 0 is a zero weight, which marginals.NewMixture allows (a
// component that never occurs).
func TestSpecExtremeWeights(t *testing.T) {
	ms, err := ParseSpec(strings.NewReader(`{"dim": 1, "marginals": [{"weights": [1e308, 1e308, 5e307],
		"means": [[0], [1], [2]], "covs": [[[1]], [[1]], [[1]]]}]}`), "big.json")
	if err != nil {
		t.Fatal(err)
	}
	if w := ms[0].Weights(); math.Abs(w[0]-0.4) > 1e-15 || math.Abs(w[1]-0.4) > 1e-15 || math.Abs(w[2]-0.2) > 1e-15 {
		t.Errorf("weights %v, want [0.4 0.4 0.2]", w)
	}
	ms, err = ParseSpec(strings.NewReader(`{"dim": 1, "marginals": [{"weights": [1e308, 5e-324],
		"means": [[0], [1]], "covs": [[[1]], [[1]]]}]}`), "tiny.json")
	if err != nil {
		t.Fatal(err)
	}
	if w := ms[0].Weights(); w[0] != 1 || w[1] != 0 {
		t.Errorf("weights %v, want [1 0]", w)
	}
}
