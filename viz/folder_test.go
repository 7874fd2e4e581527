package viz

import (
	"errors"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// blocks delivers x in blocks of two rows of d values.
func blocks(x []float64, d int) func(put func([]float64) error) error {
	return func(put func([]float64) error) error {
		for i := 0; i < len(x); i += 2 * d {
			if err := put(x[i:min(len(x), i+2*d)]); err != nil {
				return err
			}
		}
		return nil
	}
}

// PNGFolder writes one PNG per row, named by row number in the whole job
// (a shard's rows keep their numbers) or by the source names with .png,
// each the Picture of its row; Check refuses existing files unless told,
// name clashes, and a folder whose parent does not exist.
func TestPNGFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	const w, h, c = 2, 3, 3
	d := w * h * c
	x := make([]float64, 5*d)
	for i := range x {
		x[i] = 2*float64((i*37)%256)/255 - 1
	}
	f := &PNGFolder{Dir: dir, Width: w, Height: h, Channels: c, Rows: 12}
	if err := f.Check(7, 12, false); err != nil {
		t.Fatal(err)
	}
	if err := f.WriteStream(7, 12, blocks(x, d)); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if want := []string{"0007.png", "0008.png", "0009.png", "0010.png", "0011.png"}; !slices.Equal(names, want) {
		t.Fatalf("files %v, want %v", names, want)
	}
	for i, name := range names {
		r, _ := os.Open(filepath.Join(dir, name))
		img, err := png.Decode(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		want, _ := Picture(x[i*d:(i+1)*d], w, h, c, -1, 1)
		for y := 0; y < h; y++ {
			for xx := 0; xx < w; xx++ {
				r1, g1, b1, _ := img.At(xx, y).RGBA()
				r2, g2, b2, _ := want.At(xx, y).RGBA()
				if r1 != r2 || g1 != g2 || b1 != b2 {
					t.Fatalf("%s pixel (%d, %d) differs", name, xx, y)
				}
			}
		}
	}
	if err := f.Check(0, 12, false); !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), "already holds 0007.png and 4 more of the 12 files") {
		t.Errorf("existing files: %v", err)
	}
	if err := f.Check(0, 12, true); err != nil {
		t.Errorf("existing files, replace: %v", err)
	}
	if err := f.WriteStream(0, 3, blocks(x[:2*d], d)); err == nil || !strings.Contains(err.Error(), "2 rows written of the 3") {
		t.Errorf("short stream: %v", err)
	}

	named := &PNGFolder{Dir: dir, Width: w, Height: h, Channels: c, Rows: 3, Names: []string{"a.jpg", "b.png", "sub/a.png"}}
	if err := named.Check(0, 2, true); err != nil || named.Name(0) != "a.png" {
		t.Errorf("names: %v, %q", err, named.Name(0))
	}
	if err := named.Check(0, 3, true); err == nil || !strings.Contains(err.Error(), "would both be written as a.png") {
		t.Errorf("clashing names: %v", err)
	}
	orphan := &PNGFolder{Dir: filepath.Join(dir, "no", "such"), Width: w, Height: h, Channels: c, Rows: 1}
	if err := orphan.Check(0, 1, false); err == nil {
		t.Error("a folder without a parent accepted")
	}
	gray2 := &PNGFolder{Dir: dir, Width: w, Height: h, Channels: 2, Rows: 1}
	if err := gray2.Check(0, 1, false); err == nil {
		t.Error("2 channels accepted")
	}
}
