package datasets

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/mmi-go/mmi/marginals"
)

const designSpec = `{"dim": 2, "marginals": [
  {"weights": [0.5, 0.5], "means": [[0, 0], [3, 1]],
   "covs": [[[1, 0], [0, 1]], [[0.5, 0.1], [0.1, 0.3]]]},
  {"weights": [1, 3], "means": [[-1, 2], [0, 5]],
   "covs": [[[2, 0], [0, 2]], [[1, -0.5], [-0.5, 1]]]},
  {"means": [[7, 7]], "covs": [[[0.25, 0], [0, 4]]]}
]}`

// TestParseSpec parses the example of DESIGN.md plus a marginal with
// unnormalized and one with omitted weights, and checks every number.
func TestParseSpec(t *testing.T) {
	ms, err := ParseSpec(strings.NewReader(designSpec), "design.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 3 {
		t.Fatalf("%d marginals, want 3", len(ms))
	}
	want := []struct {
		w     []float64
		means [][]float64
		covs  [][]float64 // row-major 2×2
	}{
		{[]float64{0.5, 0.5}, [][]float64{{0, 0}, {3, 1}}, [][]float64{{1, 0, 0, 1}, {0.5, 0.1, 0.1, 0.3}}},
		{[]float64{0.25, 0.75}, [][]float64{{-1, 2}, {0, 5}}, [][]float64{{2, 0, 0, 2}, {1, -0.5, -0.5, 1}}},
		{[]float64{1}, [][]float64{{7, 7}}, [][]float64{{0.25, 0, 0, 4}}},
	}
	for k, m := range ms {
		if m.Dim() != 2 || len(m.Components()) != len(want[k].w) {
			t.Fatalf("marginal %d: dim %d, %d components", k, m.Dim(), len(m.Components()))
		}
		for c, g := range m.Components() {
			if m.Weights()[c] != want[k].w[c] {
				t.Errorf("marginal %d weight %d = %v, want %v", k, c, m.Weights()[c], want[k].w[c])
			}
			for i := 0; i < 2; i++ {
				if g.Mean()[i] != want[k].means[c][i] {
					t.Errorf("marginal %d component %d mean %v, want %v", k, c, g.Mean(), want[k].means[c])
				}
				for j := 0; j < 2; j++ {
					if g.Cov().At(i, j) != want[k].covs[c][2*i+j] {
						t.Errorf("marginal %d component %d cov(%d,%d) = %v, want %v", k, c, i, j, g.Cov().At(i, j), want[k].covs[c][2*i+j])
					}
				}
			}
		}
	}
}

// TestParseSpecErrors feeds one fault at a time; each error must name the
// file and, where it lies inside a marginal, the marginal and component.
func TestParseSpecErrors(t *testing.T) {
	good := `{"weights": [1], "means": [[0, 0]], "covs": [[[1, 0], [0, 1]]]}`
	spec := func(dim string, marginals ...string) string {
		return `{"dim": ` + dim + `, "marginals": [` + strings.Join(marginals, ", ") + `]}`
	}
	for _, c := range []struct {
		name, in string
		want     []string
	}{
		{"empty", "", []string{"empty specification"}},
		{"not JSON", "dim: 2", []string{"bad.json:1:1: invalid character 'd'"}},
		{"not JSON, line 3", "{\"dim\": 2,\n\"marginals\":\n  [x]}", []string{"bad.json:3:4: invalid character 'x'"}},
		{"truncated", spec("2", good)[:30], []string{"truncated JSON"}},
		{"trailing data", spec("2", good) + " {}", []string{"after the specification"}},
		{"unknown key", `{"dim": 2, "marginal": []}`, []string{"unknown field \"marginal\""}},
		{"unknown marginal key", spec("2", `{"means": [[0,0]], "cov": [[[1,0],[0,1]]]}`), []string{"unknown field \"cov\""}},
		{"missing dim", `{"marginals": [` + good + `]}`, []string{"missing \"dim\""}},
		{"zero dim", spec("0", good), []string{"dim is 0"}},
		{"fractional dim", spec("1.5", good), []string{"bad.json:1:11:", "dim"}},
		{"no marginals", spec("2"), []string{"no marginals"}},
		{"no components", spec("2", good, `{"means": [], "covs": []}`), []string{"marginal 1", "no components"}},
		{"covs count", spec("2", `{"means": [[0,0],[1,1]], "covs": [[[1,0],[0,1]]]}`), []string{"marginal 0", "2 means but 1 covs"}},
		{"weights count", spec("2", good, `{"weights": [1, 2], "means": [[0,0]], "covs": [[[1,0],[0,1]]]}`), []string{"marginal 1", "2 weights but 1 components"}},
		{"empty weights", spec("2", `{"weights": [], "means": [[0,0]], "covs": [[[1,0],[0,1]]]}`), []string{"marginal 0", "0 weights"}},
		{"zero weights", spec("2", `{"weights": [0, 0], "means": [[0,0],[1,1]], "covs": [[[1,0],[0,1]], [[1,0],[0,1]]]}`), []string{"marginal 0", "weights sum to zero"}},
		{"negative weight", spec("2", good, `{"weights": [-1], "means": [[0,0]], "covs": [[[1,0],[0,1]]]}`), []string{"marginal 1", "component 0 is -1"}},
		{"mean dim", spec("2", good, `{"means": [[0,0],[1,2,3]], "covs": [[[1,0],[0,1]], [[1,0],[0,1]]]}`), []string{"marginal 1, component 1", "mean has 3 entries, dim is 2"}},
		{"cov rows", spec("2", `{"means": [[0,0]], "covs": [[[1,0]]]}`), []string{"marginal 0, component 0", "1 rows, want 2"}},
		{"cov row length", spec("2", `{"means": [[0,0]], "covs": [[[1,0],[0]]]}`), []string{"marginal 0, component 0", "row 1 has 1 entries"}},
		{"asymmetric", spec("2", `{"means": [[0,0]], "covs": [[[1,0.2],[0.1,1]]]}`), []string{"marginal 0, component 0", "not symmetric", "(0, 1) is 0.2"}},
		{"indefinite", spec("2", good, good, `{"means": [[0,0],[0,0]], "covs": [[[1,0],[0,1]], [[1,2],[2,1]]]}`), []string{"marginal 2, component 1", "not positive definite"}},
		{"singular", spec("2", `{"means": [[0,0]], "covs": [[[1,1],[1,1]]]}`), []string{"marginal 0, component 0", "not positive definite"}},
		{"wrong type", spec("2", `{"means": [0, 0], "covs": [[[1,0],[0,1]]]}`), []string{"cannot unmarshal"}},
	} {
		_, err := ParseSpec(strings.NewReader(c.in), "bad.json")
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range append([]string{"datasets: bad.json"}, c.want...) {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", c.name, err, w)
			}
		}
	}
}

// TestSpecAlmostSymmetric: a covariance off by round-off (relative 1e-13)
// is accepted and symmetrized; off by 1e-6 is refused.
func TestSpecAlmostSymmetric(t *testing.T) {
	in := `{"dim": 2, "marginals": [{"means": [[0,0]], "covs": [[[1, 0.3000000000000001], [0.3, 1]]]}]}`
	ms, err := ParseSpec(strings.NewReader(in), "x.json")
	if err != nil {
		t.Fatal(err)
	}
	if c := ms[0].Components()[0].Cov(); c.At(0, 1) != c.At(1, 0) || math.Abs(c.At(0, 1)-0.3) > 1e-15 {
		t.Errorf("cov(0,1) = %v", c.At(0, 1))
	}
	in = strings.Replace(in, "0.3000000000000001", "0.300001", 1)
	if _, err := ParseSpec(strings.NewReader(in), "x.json"); err == nil {
		t.Error("relative asymmetry 3e-6 accepted")
	}
}

// TestWriteSpecRoundTrip writes mixtures with awkward numbers and reads
// them back bit for bit.
func TestWriteSpecRoundTrip(t *testing.T) {
	g := func(mean []float64, cov ...float64) *marginals.Gaussian {
		x, err := marginals.NewGaussian(mean, mat.NewSymDense(len(mean), cov))
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	m1, err := marginals.NewMixture([]float64{1, 2}, []*marginals.Gaussian{
		g([]float64{0.1, -1e-300, 3}, 1.0/3, 0.1, 0, 0.1, 2, 1e-5, 0, 1e-5, 7),
		g([]float64{1, 2, 3}, 1, 0, 0, 0, 1, 0, 0, 0, 1),
	})
	if err != nil {
		t.Fatal(err)
	}
	m2, _ := marginals.NewMixture([]float64{1}, []*marginals.Gaussian{g([]float64{5, 5, 5}, 2, 0, 0, 0, 2, 0, 0, 0, 2)})
	path := filepath.Join(t.TempDir(), "spec.json")
	if err := WriteSpec(path, []*marginals.Mixture{m1, m2}); err != nil {
		t.Fatal(err)
	}
	back, err := ReadSpec(path)
	if err != nil {
		t.Fatal(err)
	}
	for k, m := range []*marginals.Mixture{m1, m2} {
		b := back[k]
		for c := range m.Components() {
			if b.Weights()[c] != m.Weights()[c] {
				t.Errorf("marginal %d weight %d: %v, want %v", k, c, b.Weights()[c], m.Weights()[c])
			}
			if !mat.Equal(b.Components()[c].Cov(), m.Components()[c].Cov()) || !mat.Equal(mat.NewVecDense(3, b.Components()[c].Mean()), mat.NewVecDense(3, m.Components()[c].Mean())) {
				t.Errorf("marginal %d component %d differs after the round trip", k, c)
			}
		}
	}
	if _, err := ReadSpec(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("reading a missing file succeeded")
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), `"dim": 3`) {
		t.Errorf("written file lacks \"dim\": %s", b)
	}
}

// TestSpecCoupling: "coupling" is optional, "independent" or "ot"; "ot"
// needs single Gaussians; anything else is an error naming the field.
func TestSpecCoupling(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	single := `"marginals": [{"means": [[0]], "covs": [[[1]]]}, {"means": [[2]], "covs": [[[4]]]}]}`
	for _, tc := range []struct {
		text, want, err string
	}{
		{`{"dim": 1, ` + single, "independent", ""},
		{`{"dim": 1, "coupling": "independent", ` + single, "independent", ""},
		{`{"dim": 1, "coupling": "ot", ` + single, "ot", ""},
		{`{"dim": 1, "coupling": "paired", ` + single, "", `unknown "coupling"`},
		{`{"dim": 1, "coupling": "ot", "marginals": [{"means": [[0], [3]], "covs": [[[1]], [[1]]]}]}`, "", "needs single Gaussians"},
	} {
		mix, spec, err := ReadSpecCoupling(write("s.json", tc.text))
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.text, err, tc.err)
			}
		case err != nil || spec.String() != tc.want || len(mix) != 2:
			t.Errorf("%s: %v, %v (%d marginals), want %s", tc.text, spec, err, len(mix), tc.want)
		}
	}
}

// TestParseSpecByteOrderMark: a specification saved with a UTF-8
// byte-order mark reads as without one (issue 20).
func TestParseSpecByteOrderMark(t *testing.T) {
	ms, err := ParseSpec(strings.NewReader("\ufeff"+designSpec), "design.json")
	if err != nil || len(ms) != 3 {
		t.Errorf("%d marginals, err %v", len(ms), err)
	}
}
