package main

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/samplefile"
	"github.com/mmi-go/mmi/viz"
)

// writePNGFile writes img to path as a PNG.
func writePNGFile(t *testing.T, path string, img image.Image) {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// colourFolder makes a folder of n w×h colour images, pixel (x, y) of image
// i being (seed+i+x, 2y, base) as 8-bit levels.
func colourFolder(t *testing.T, dir string, n, w, h int, base uint8) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		m := image.NewNRGBA(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				m.SetNRGBA(x, y, color.NRGBA{uint8(7*i + 30*x), uint8(40 * y), base, 255})
			}
		}
		writePNGFile(t, filepath.Join(dir, "img"+string(rune('a'+i))+".png"), m)
	}
	return dir
}

// TestFolderRoundTrip: a PNG read as model input (the rows --data gives
// the trainer) and written back as a PNG has the same pixel values, for
// grayscale and colour images.
func TestFolderRoundTrip(t *testing.T) {
	dir := t.TempDir()
	col := colourFolder(t, filepath.Join(dir, "col"), 3, 5, 4, 250)
	gray := filepath.Join(dir, "gray")
	os.Mkdir(gray, 0o755)
	g := image.NewGray(image.Rect(0, 0, 6, 2))
	for i := range g.Pix {
		g.Pix[i] = uint8(i * 23)
	}
	writePNGFile(t, filepath.Join(gray, "g.png"), g)
	for _, folder := range []string{col, gray} {
		es, err := datasets.Open(folder)
		if err != nil {
			t.Fatal(err)
		}
		s := es[0].Image
		f, _ := datasets.ReadFolder(folder, datasets.Options{})
		for i, name := range es[0].Files {
			out := filepath.Join(dir, "back.png")
			if err := viz.WritePicture(out, f.Rows[i*s.Dim():(i+1)*s.Dim()], s.Width, s.Height, s.C(), -1, 1); err != nil {
				t.Fatal(err)
			}
			if a, b := decodePNG(t, filepath.Join(folder, name)), decodePNG(t, out); !samePixels(a, b) {
				t.Errorf("%s/%s: pixels differ after the round trip", folder, name)
			}
		}
	}
}

func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// samePixels compares two images pixel by pixel in 8-bit RGBA.
func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if color.NRGBAModel.Convert(a.At(x, y)) != color.NRGBAModel.Convert(b.At(x, y)) {
				return false
			}
		}
	}
	return true
}

// TestTrainFolders: mmi train on two folders of colour images (one of
// them resized by --size) uses the image defaults, records the shape
// H×W×C in the checkpoint, and path --png draws a colour grid from it.
func TestTrainFolders(t *testing.T) {
	dir := t.TempDir()
	a := colourFolder(t, filepath.Join(dir, "a"), 4, 5, 4, 250)
	b := colourFolder(t, filepath.Join(dir, "b"), 4, 10, 8, 10)
	model := filepath.Join(dir, "m.mmi")
	code, _, stderr := mmi(t, "train", "--data", a+","+b, "--size", "5x4", "--steps", "10", "--batch", "8", "--hidden", "8", "--layers", "1", "--out", model)
	if code != 0 || !strings.Contains(stderr, "image defaults for 5×4×3") {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	m, err := gk.Load(model)
	if err != nil {
		t.Fatal(err)
	}
	if s := m.Shape(); len(s) != 3 || s[0] != 4 || s[1] != 5 || s[2] != 3 {
		t.Fatalf("checkpoint shape %v, want [4 5 3]", s)
	}
	pic := filepath.Join(dir, "x.png")
	if code, _, stderr := mmi(t, "path", "--model", model, "--from", "0", "--to", "2", "--n", "4", "--steps", "4", "--png", pic); code != 0 {
		t.Fatalf("path --png: exit %d: %s", code, stderr)
	}
	if _, ok := decodePNG(t, pic).(*image.Gray); ok {
		t.Errorf("path --png of a colour model is not a colour picture")
	}
}

// TestFolderBadInput: each bad folder in --data is refused with exit 2,
// one line naming the file at fault, and no checkpoint written.
func TestFolderBadInput(t *testing.T) {
	dir := t.TempDir()
	good := colourFolder(t, filepath.Join(dir, "good"), 2, 5, 4, 100)
	model := filepath.Join(dir, "m.mmi")
	mk := func(name string) string {
		d := colourFolder(t, filepath.Join(dir, name), 2, 5, 4, 100)
		return d
	}
	var pngBytes bytes.Buffer
	png.Encode(&pngBytes, image.NewGray(image.Rect(0, 0, 5, 4)))

	trunc := mk("trunc")
	whole, _ := os.ReadFile(filepath.Join(trunc, "imga.png"))
	os.WriteFile(filepath.Join(trunc, "z.png"), whole[:len(whole)-30], 0o644)
	corrupt := mk("corrupt")
	bad := append([]byte(nil), whole...)
	bad[len(bad)-20] ^= 0xff // in the compressed data: its checksum fails
	os.WriteFile(filepath.Join(corrupt, "z.png"), bad, 0o644)
	other := mk("other")
	os.WriteFile(filepath.Join(other, "z.bmp"), []byte("BM"), 0o644)
	sizes := mk("sizes")
	colourFolder(t, filepath.Join(dir, "sizes2"), 1, 6, 4, 1)
	os.Rename(filepath.Join(dir, "sizes2", "imga.png"), filepath.Join(sizes, "z.png"))
	chans := mk("chans")
	writePNGFile(t, filepath.Join(chans, "z.png"), image.NewGray(image.Rect(0, 0, 5, 4)))
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	huge := filepath.Join(dir, "huge")
	os.Mkdir(huge, 0o755)
	// A PNG header claiming 10^6 × 10^6 pixels (8 TB of rows) and no
	// data: refused from its header.
	hdr := append([]byte(nil), pngBytes.Bytes()[:33]...)
	copy(hdr[16:24], []byte{0, 0x0f, 0x42, 0x40, 0, 0x0f, 0x42, 0x40})
	putCRC(hdr)
	os.WriteFile(filepath.Join(huge, "big.png"), hdr, 0o644)

	for _, c := range []struct{ data, file, want string }{
		{trunc, filepath.Join(trunc, "z.png"), "truncated"},
		{corrupt, filepath.Join(corrupt, "z.png"), "corrupt"},
		{other, filepath.Join(other, "z.bmp"), "unsupported format"},
		{sizes, filepath.Join(sizes, "z.png"), "is 6×4 pixels, but"},
		{chans, filepath.Join(chans, "z.png"), "is grayscale, but"},
		{empty, empty, "empty folder"},
		{huge, huge, "of memory, more than the"},
	} {
		wantUsage(t, c.file, []string{model}, "train", "--data", good+","+c.data, "--steps", "5", "--out", model)
		wantUsage(t, c.want, []string{model}, "train", "--data", good+","+c.data, "--steps", "5", "--out", model)
	}
	wantUsage(t, "--data names none", []string{model}, "train", "--data", "moons,circles", "--size", "4x4", "--out", model)
	wantUsage(t, "--size \"4\"", []string{model}, "train", "--data", good+","+good, "--size", "4", "--out", model)
}

// putCRC rewrites the CRC of the IHDR chunk of a PNG header (bytes 12…28
// are its type and data, 29…32 its CRC).
func putCRC(b []byte) {
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
}

// pngNames lists the files in dir.
func pngNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// TestOutFolder: --out DIR/ writes one PNG per row, the Picture of the
// row that --out x.npy writes for the same run; transfer --in DIR keeps
// the source names (a JPEG's with .png); path, sample and barycenter
// number the rows; a folder that
// would be overwritten, a model of vectors, --loglik and --out = --in are
// refused before any work.
func TestOutFolder(t *testing.T) {
	dir := t.TempDir()
	a := colourFolder(t, filepath.Join(dir, "a"), 3, 5, 4, 250)
	b := colourFolder(t, filepath.Join(dir, "b"), 3, 5, 4, 10)
	os.Rename(filepath.Join(a, "imgc.png"), filepath.Join(a, "photo.jpeg.png"))
	model := filepath.Join(dir, "m.mmi")
	if code, _, stderr := mmi(t, "train", "--data", a+","+b, "--steps", "10", "--batch", "8", "--hidden", "8", "--layers", "1", "--out", model); code != 0 {
		t.Fatalf("train: %s", stderr)
	}
	ok := func(args ...string) {
		t.Helper()
		if code, _, stderr := mmi(t, args...); code != 0 {
			t.Fatalf("mmi %v: exit %d: %s", args, code, stderr)
		}
	}
	out := filepath.Join(dir, "out") + "/"
	npy := filepath.Join(dir, "t.npy")
	ok("transfer", "--model", model, "--from", "1", "--to", "2", "--in", a, "--steps", "3", "--out", out)
	ok("transfer", "--model", model, "--from", "1", "--to", "2", "--in", a, "--steps", "3", "--out", npy)
	names := pngNames(t, out)
	if want := []string{"imga.png", "imgb.png", "photo.jpeg.png"}; strings.Join(names, ",") != strings.Join(want, ",") {
		t.Fatalf("transfer --out DIR/ wrote %v, want %v", names, want)
	}
	x, _, err := samplefile.Read(npy)
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range names {
		want, _ := viz.Picture(x[i*60:(i+1)*60], 5, 4, 3, -1, 1)
		if !samePixels(decodePNG(t, filepath.Join(out, name)), want) {
			t.Errorf("%s is not the picture of row %d", name, i)
		}
	}

	// Overwriting is refused; nothing is written.
	before, _ := os.ReadFile(filepath.Join(out, "imga.png"))
	wantUsage(t, "already holds imga.png and 1 more of the 3 files to write; give --force to replace them", nil, "transfer", "--model", model, "--from", "1", "--to", "2", "--in", b, "--steps", "3", "--out", out)
	if after, _ := os.ReadFile(filepath.Join(out, "imga.png")); !bytes.Equal(before, after) {
		t.Error("a refused run changed imga.png")
	}
	ok("transfer", "--model", model, "--from", "1", "--to", "2", "--in", b, "--steps", "3", "--out", out, "--force")
	if after, _ := os.ReadFile(filepath.Join(out, "imga.png")); bytes.Equal(before, after) {
		t.Error("--force did not replace imga.png")
	}
	wantUsage(t, "is the folder of --in", nil, "transfer", "--model", model, "--from", "1", "--to", "2", "--in", a, "--steps", "3", "--out", a+"/")

	// Rows numbered in the whole run (viz.PNGFolder's test checks that
	// a shard's rows keep their numbers).
	p := filepath.Join(dir, "p") + "/"
	ok("path", "--model", model, "--from", "0", "--to", "1", "--n", "5", "--steps", "3", "--out", p)
	if got := strings.Join(pngNames(t, p), ","); got != "0000.png,0001.png,0002.png,0003.png,0004.png" {
		t.Errorf("path shards wrote %s", got)
	}
	wantUsage(t, "--loglik", nil, "path", "--model", model, "--from", "0", "--to", "1", "--n", "5", "--loglik", "--out", filepath.Join(dir, "l")+"/")
	s := filepath.Join(dir, "s") + "/"
	ok("sample", "--data", a, "--k", "1", "--n", "12", "--out", s)
	bc := filepath.Join(dir, "bc") + "/"
	ok("barycenter", "--model", model, "--weights", "0.5,0.5", "--n", "4", "--steps", "3", "--out", bc)
	if ns, nb := len(pngNames(t, s)), len(pngNames(t, bc)); ns != 12 || nb != 4 {
		t.Errorf("sample wrote %d files (want 12), barycenter %d (want 4)", ns, nb)
	}
	if _, ok := decodePNG(t, filepath.Join(s, "0011.png")).(*image.Gray); ok {
		t.Error("sample of colour images wrote gray files")
	}

	// A model of vectors has no images to write.
	vec := filepath.Join(dir, "v.mmi")
	ok("train", "--data", "moons,circles", "--steps", "5", "--hidden", "8", "--out", vec)
	wantUsage(t, "these samples are not images", nil, "path", "--model", vec, "--from", "0", "--to", "1", "--n", "5", "--out", filepath.Join(dir, "v")+"/")
	if _, err := os.Stat(filepath.Join(dir, "v")); err == nil {
		t.Error("a refused run made its folder")
	}
}

// TestEvalClassRefusesColour: the classifiers read grayscale images, so
// mmi eval --class refuses an NPY of colour images (n, H, W, 3) by its
// shape, with exit 2, before any classifier is trained.
func TestEvalClassRefusesColour(t *testing.T) {
	dict := "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 8, 8, 3), }"
	hdr := []byte(dict + strings.Repeat(" ", 64-(10+len(dict)+1)%64) + "\n")
	b := append([]byte("\x93NUMPY\x01\x00"), byte(len(hdr)), byte(len(hdr)>>8))
	b = append(b, hdr...)
	b = append(b, make([]byte, 8*2*8*8*3)...) // zeros: gray mid-level
	f := filepath.Join(t.TempDir(), "c.npy")
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
	wantUsage(t, "holds colour images (8×8×3), but the digits classifier reads grayscale 8×8 images", nil, "eval", "--a", f, "--class", "digits:3")
}
