package datasets

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/samplefile"
)

// TestOpenMixed opens toy sets, a CSV file, an NPY file and a two-marginal
// specification in one list: the entries come out in order, a
// specification contributes all its marginals, and each entry samples the
// right data.
func TestOpenMixed(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "pts.csv")
	os.WriteFile(csv, []byte("x,y\n10,20\n30,40\n"), 0o644)
	npy := filepath.Join(dir, "pts.npy")
	if err := samplefile.Write(npy, []float64{-5, -6}, 2); err != nil {
		t.Fatal(err)
	}
	spec := filepath.Join(dir, "mix.json")
	os.WriteFile(spec, []byte(`{"dim": 2, "marginals": [
		{"means": [[100, 100]], "covs": [[[1e-6, 0], [0, 1e-6]]]},
		{"means": [[-100, 0]], "covs": [[[1e-6, 0], [0, 1e-6]]]}]}`), 0o644)

	es, err := Open(" Moons ," + csv + "," + spec + ",checkerboard," + npy)
	if err != nil {
		t.Fatal(err)
	}
	wantNames := []string{"moons", csv, spec + "[0]", spec + "[1]", "checkerboard", npy}
	if len(es) != len(wantNames) {
		t.Fatalf("%d entries, want %d", len(es), len(wantNames))
	}
	r := newRand(1)
	for i, e := range es {
		if e.Name != wantNames[i] {
			t.Errorf("entry %d named %q, want %q", i, e.Name, wantNames[i])
		}
		if e.Marginal.Dim() != 2 || e.Image != nil {
			t.Errorf("%s: dim %d, image %v", e.Name, e.Marginal.Dim(), e.Image)
		}
		if (e.Mixture != nil) != strings.HasSuffix(e.Name, "]") {
			t.Errorf("%s: Mixture set = %v", e.Name, e.Mixture != nil)
		}
		x := make([]float64, 200)
		e.Marginal.Sample(x, r)
		for j := 0; j < len(x); j += 2 {
			ok := true
			switch i {
			case 1: // a row of the CSV file
				ok = x[j] == 10 && x[j+1] == 20 || x[j] == 30 && x[j+1] == 40
			case 2, 3: // near the specification's means, sd 1e-3
				ok = abs(x[j]-es[i].Mixture.Components()[0].Mean()[0]) < 0.01 && abs(x[j+1]-es[i].Mixture.Components()[0].Mean()[1]) < 0.01
			case 5:
				ok = x[j] == -5 && x[j+1] == -6
			}
			if !ok {
				t.Fatalf("%s: sample (%v, %v) is not from its data", e.Name, x[j], x[j+1])
			}
		}
	}
	if es[2].Mixture != es[2].Marginal.(*marginals.Mixture) {
		t.Error("specification entry: Mixture and Marginal differ")
	}
}

func TestOpenImages(t *testing.T) {
	es, err := Open("digits:3,DIGITS:0")
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []struct {
		name string
		rows int
	}{{"digits:3", 138}, {"digits:0", 134}} { // training splits: 183 and 178 images less every fourth
		e := es[i]
		if e.Name != want.name || e.Image == nil || *e.Image != (ImageShape{8, 8, 1}) || e.Marginal.Dim() != 64 {
			t.Errorf("entry %d: %q image %v dim %d", i, e.Name, e.Image, e.Marginal.Dim())
		}
		if n := e.Marginal.(*marginals.Empirical).Len(); n != want.rows {
			t.Errorf("%s: %d rows, want %d", e.Name, n, want.rows)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	txt := filepath.Join(dir, "data.txt")
	os.WriteFile(txt, []byte("1,2\n"), 0o644)
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("1,2\n3\n"), 0o644)
	wide := filepath.Join(dir, "wide.csv")
	os.WriteFile(wide, []byte("1,2,3\n"), 0o644)
	for _, c := range []struct {
		spec string
		want []string
	}{
		{"", []string{"no data sets"}},
		{"moons,,circles", []string{"empty element"}},
		{"moons,", []string{"empty element"}},
		{"mooons", []string{`unknown data set "mooons"`, "8gaussians", "checkerboard", "circles", "moons", "pinwheel", "spirals", "swissroll", "mnist:0…9", "fashion:0…9", "digits:0…9", ".csv, .npy or .json"}},
		{"mnist", []string{"needs a class", "mnist:0 … mnist:9"}},
		{"digits:10", []string{`"digits:10"`, "class must be a digit 0…9"}},
		{"digits:x", []string{"class must be a digit"}},
		{"cifar:3", []string{`no labelled set "cifar"`, "mnist, fashion, digits"}},
		{"moons,digits:3", []string{"moons has dimension 2 but digits:3 has dimension 64"}},
		{"moons," + wide, []string{"moons has dimension 2 but " + wide + " has dimension 3"}},
		{txt, []string{"unknown file type \".txt\""}},
		{bad, []string{bad + ":2"}},
		{filepath.Join(dir, "missing.npy"), []string{"missing.npy"}},
		{filepath.Join(dir, "missing.json"), []string{"missing.json"}},
	} {
		_, err := Open(c.spec)
		if err == nil {
			t.Errorf("Open(%q): no error", c.spec)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Open(%q): error %q does not mention %q", c.spec, err, w)
			}
		}
	}
}

// TestList checks that every toy set and labelled set is listed with its
// dimension, that the always-present ones are installed, and that every
// listed name opens (image sets as NAME:0 where installed).
func TestList(t *testing.T) {
	infos := List()
	if len(infos) != len(toySets)+len(labelledSets) {
		t.Fatalf("%d entries, want %d", len(infos), len(toySets)+len(labelledSets))
	}
	for _, in := range infos {
		if in.Description == "" || in.Where == "" {
			t.Errorf("%s: empty description or location", in.Name)
		}
		spec := in.Name
		if in.Classes > 0 {
			spec += ":0"
		}
		if in.Name == "digits" || in.Classes == 0 {
			if !in.Installed {
				t.Errorf("%s is built in but not installed", in.Name)
			}
		}
		if !in.Installed || in.Name == "mnist" || in.Name == "fashion" {
			continue // their loading is tested above, once
		}
		es, err := Open(spec)
		if err != nil {
			t.Errorf("%s: %v", spec, err)
			continue
		}
		if es[0].Marginal.Dim() != in.Dim {
			t.Errorf("%s: listed dimension %d, opens with %d", in.Name, in.Dim, es[0].Marginal.Dim())
		}
	}
}

func ExampleOpen() {
	es, err := Open("moons,checkerboard,digits:7")
	fmt.Println(err)
	es, err = Open("moons,checkerboard")
	for _, e := range es {
		fmt.Println(e.Name, e.Marginal.Dim())
	}
	fmt.Println(err)
	// Output:
	// datasets: moons has dimension 2 but digits:7 has dimension 64; all data marginals must share one dimension
	// moons 2
	// checkerboard 2
	// <nil>
}
