package datasets

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeImage encodes img into dir/name as PNG or JPEG by the extension.
func writeImage(t *testing.T, dir, name string, img image.Image) string {
	t.Helper()
	var buf bytes.Buffer
	var err error
	switch filepath.Ext(name) {
	case ".jpg", ".jpeg":
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 100})
	default:
		err = png.Encode(&buf, img)
	}
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// grayImage returns a w×h gray image whose pixel (x, y) is f(x, y).
func grayImage(w, h int, f func(x, y int) uint8) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			g.SetGray(x, y, color.Gray{f(x, y)})
		}
	}
	return g
}

// rgbImage returns a w×h opaque colour image with pixel (x, y) = f(x, y).
func rgbImage(w, h int, f func(x, y int) (r, g, b uint8)) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r, g, b := f(x, y)
			m.SetNRGBA(x, y, color.NRGBA{r, g, b, 255})
		}
	}
	return m
}

// TestReadFolderPixels: the rows are the pixel values exactly, 2p/255 − 1,
// row-major with channels innermost, files in sorted name order (b.png's
// rows after a.png's although written first), hidden files and subfolders
// skipped; gray PNG and gray JPEG are 1 channel, colour PNG 3.
func TestReadFolderPixels(t *testing.T) {
	dir := t.TempDir()
	writeImage(t, dir, "b.png", grayImage(3, 2, func(x, y int) uint8 { return uint8(100 + 10*y + x) }))
	writeImage(t, dir, "a.png", grayImage(3, 2, func(x, y int) uint8 { return uint8(10*y + x) }))
	os.WriteFile(filepath.Join(dir, ".DS_Store"), []byte("junk"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	f, err := ReadFolder(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var want []float64
	for _, base := range []int{0, 100} {
		for y := 0; y < 2; y++ {
			for x := 0; x < 3; x++ {
				want = append(want, 2*float64(base+10*y+x)/255-1)
			}
		}
	}
	if f.Shape != (ImageShape{3, 2, 1}) || !slices.Equal(f.Files, []string{"a.png", "b.png"}) || !slices.Equal(f.Rows, want) {
		t.Fatalf("got shape %v files %v rows %v; want 3×2×1, [a.png b.png], %v", f.Shape, f.Files, f.Rows, want)
	}

	col := t.TempDir()
	writeImage(t, col, "c.png", rgbImage(2, 2, func(x, y int) (uint8, uint8, uint8) { return uint8(x), uint8(y), uint8(200 + x + 2*y) }))
	f, err = ReadFolder(col, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want = nil
	for y := 0; y < 2; y++ {
		for x := 0; x < 2; x++ {
			want = append(want, 2*float64(x)/255-1, 2*float64(y)/255-1, 2*float64(200+x+2*y)/255-1)
		}
	}
	if f.Shape != (ImageShape{2, 2, 3}) || !slices.Equal(f.Rows, want) {
		t.Fatalf("colour: shape %v rows %v; want 2×2×3, %v", f.Shape, f.Rows, want)
	}

	// A gray JPEG is read as gray; JPEG is lossy, so only roughly.
	jp := t.TempDir()
	writeImage(t, jp, "g.jpg", grayImage(8, 8, func(x, y int) uint8 { return 128 }))
	f, err = ReadFolder(jp, Options{})
	if err != nil || f.Shape != (ImageShape{8, 8, 1}) || math.Abs(f.Rows[0]-(2*128.0/255-1)) > 2.0/255 {
		t.Fatalf("gray JPEG: %v, %v", f, err)
	}
}

// TestReadFolderResize: with Options.Size, images of other sizes are
// resized (a constant image stays that constant: Catmull–Rom weights sum
// to one) and images of that size are kept exactly; without it, mixed
// sizes are refused.
func TestReadFolderResize(t *testing.T) {
	dir := t.TempDir()
	writeImage(t, dir, "big.png", rgbImage(40, 30, func(x, y int) (uint8, uint8, uint8) { return 10, 200, 90 }))
	small := rgbImage(4, 3, func(x, y int) (uint8, uint8, uint8) { return uint8(x * 50), uint8(y * 60), 7 })
	writeImage(t, dir, "small.png", small)
	if _, err := ReadFolder(dir, Options{}); err == nil || !strings.Contains(err.Error(), "small.png is 4×3 pixels, but "+filepath.Join(dir, "big.png")+" is 40×30") {
		t.Fatalf("mixed sizes: %v", err)
	}
	f, err := ReadFolder(dir, Options{Size: ImageShape{Width: 4, Height: 3}})
	if err != nil {
		t.Fatal(err)
	}
	if f.Shape != (ImageShape{4, 3, 3}) || len(f.Rows) != 2*36 {
		t.Fatalf("shape %v, %d values", f.Shape, len(f.Rows))
	}
	for i := 0; i < 36; i += 3 {
		for c, p := range []float64{10, 200, 90} {
			if got, want := f.Rows[i+c], 2*p/255-1; math.Abs(got-want) > 1e-4 {
				t.Fatalf("resized constant image: value %d is %v, want %v", i+c, got, want)
			}
		}
	}
	want := appendPixels(nil, small, 3)
	if !slices.Equal(f.Rows[36:], want) {
		t.Errorf("an image already of the size changed: %v, want %v", f.Rows[36:], want)
	}
}

// TestReadFolderBadInput: every bad folder is an error that names the
// file at fault (or the folder) and says what is wrong.
func TestReadFolderBadInput(t *testing.T) {
	good := func(dir string) string {
		return writeImage(t, dir, "a.png", grayImage(4, 4, func(x, y int) uint8 { return uint8(x * y) }))
	}
	pngBytes := func() []byte {
		var b bytes.Buffer
		png.Encode(&b, grayImage(4, 4, func(x, y int) uint8 { return uint8(x + y) }))
		return b.Bytes()
	}()
	cases := []struct {
		name  string
		setup func(dir string) (file string)
		opts  Options
		want  string
	}{
		{"truncated", func(dir string) string {
			good(dir)
			f := filepath.Join(dir, "b.png")
			os.WriteFile(f, pngBytes[:len(pngBytes)-20], 0o644)
			return f
		}, Options{}, "truncated image file"},
		{"corrupt", func(dir string) string {
			good(dir)
			b := append([]byte(nil), pngBytes...)
			b[len(b)-30] ^= 0xff // inside the compressed data: checksum fails
			f := filepath.Join(dir, "b.png")
			os.WriteFile(f, b, 0o644)
			return f
		}, Options{}, "corrupt image file"},
		{"truncated header", func(dir string) string {
			f := filepath.Join(dir, "a.png")
			os.WriteFile(f, pngBytes[:12], 0o644)
			return f
		}, Options{}, "truncated image file"},
		{"other file type", func(dir string) string {
			good(dir)
			f := filepath.Join(dir, "notes.txt")
			os.WriteFile(f, []byte("hello"), 0o644)
			return f
		}, Options{}, `unsupported format ".txt"`},
		{"GIF", func(dir string) string {
			good(dir)
			var b bytes.Buffer
			gif.Encode(&b, grayImage(4, 4, func(x, y int) uint8 { return 0 }), nil)
			f := filepath.Join(dir, "b.gif")
			os.WriteFile(f, b.Bytes(), 0o644)
			return f
		}, Options{}, `unsupported format ".gif"`},
		{"GIF named .png", func(dir string) string {
			good(dir)
			var b bytes.Buffer
			gif.Encode(&b, grayImage(4, 4, func(x, y int) uint8 { return 0 }), nil)
			f := filepath.Join(dir, "b.png")
			os.WriteFile(f, b.Bytes(), 0o644)
			return f
		}, Options{}, "unsupported format"},
		{"mixed sizes", func(dir string) string {
			good(dir)
			return writeImage(t, dir, "b.png", grayImage(5, 4, func(x, y int) uint8 { return 0 }))
		}, Options{}, "is 5×4 pixels, but"},
		{"mixed channels", func(dir string) string {
			good(dir)
			return writeImage(t, dir, "b.png", rgbImage(4, 4, func(x, y int) (uint8, uint8, uint8) { return 1, 2, 3 }))
		}, Options{}, "is colour, but"},
		{"mixed channels, resized", func(dir string) string {
			good(dir)
			return writeImage(t, dir, "b.png", rgbImage(9, 4, func(x, y int) (uint8, uint8, uint8) { return 1, 2, 3 }))
		}, Options{Size: ImageShape{Width: 4, Height: 4}}, "is colour, but"},
		{"empty", func(dir string) string {
			os.WriteFile(filepath.Join(dir, ".hidden.png"), pngBytes, 0o644)
			return dir
		}, Options{}, "empty folder"},
		{"too big", func(dir string) string {
			good(dir)
			writeImage(t, dir, "b.png", grayImage(4, 4, func(x, y int) uint8 { return 0 }))
			return dir
		}, Options{MaxBytes: 255}, "its 2 images of 4×4 pixels need 256 B of memory, more than the 255 B available"},
		{"too big, before decoding", func(dir string) string {
			// A header that claims 100000×100000 pixels, and no data: the
			// memory check refuses it before the decoder would try.
			b := append([]byte(nil), pngBytes[:33]...)
			b[16], b[17], b[18], b[19] = 0, 1, 0x86, 0xa0
			b[20], b[21], b[22], b[23] = 0, 1, 0x86, 0xa0
			binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
			os.WriteFile(filepath.Join(dir, "huge.png"), b, 0o644)
			return dir
		}, Options{MaxBytes: 1 << 30}, "its 1 images of 100000×100000 pixels need 74.5 GiB of memory"},
	}
	for _, c := range cases {
		dir := t.TempDir()
		file := c.setup(dir)
		_, err := ReadFolder(dir, c.opts)
		if err == nil || !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v; want one line naming %s and saying %q", c.name, err, file, c.want)
		}
	}
}

// TestOpenFolder: a folder in a --data list is one marginal of its images
// with their shape and file names; an NPY file of images carries its
// shape.
func TestOpenFolder(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	os.Mkdir(a, 0o755)
	os.Mkdir(b, 0o755)
	for i, name := range []string{"x.png", "y.png", "z.png"} {
		writeImage(t, a, name, rgbImage(3, 2, func(x, y int) (uint8, uint8, uint8) { return uint8(i), 0, 0 }))
		writeImage(t, b, name, rgbImage(6, 4, func(x, y int) (uint8, uint8, uint8) { return 0, uint8(i), 0 }))
	}
	es, err := OpenWith(a+", "+b, Options{Size: ImageShape{Width: 3, Height: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || es[0].Name != a || *es[0].Image != (ImageShape{3, 2, 3}) || *es[1].Image != (ImageShape{3, 2, 3}) ||
		es[1].Marginal.Dim() != 18 || !slices.Equal(es[1].Files, []string{"x.png", "y.png", "z.png"}) {
		t.Fatalf("got %+v", es)
	}
	if _, err := Open(a + "," + b); err == nil || !strings.Contains(err.Error(), "dimension") {
		t.Errorf("folders of different sizes without a size: %v", err)
	}
}
