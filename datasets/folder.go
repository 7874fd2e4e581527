package datasets

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // the decoders image.Decode uses for folders
	_ "image/png"
	"io"
	"os"
	"path/filepath"
	"strings"

	xdraw "golang.org/x/image/draw"

	"github.com/mmi-go/mmi/internal/bytesize"
)

// Folder is a folder of image files read as the rows of one marginal.
type Folder struct {
	// Rows holds the images, one per file in the order of Files, each
	// flattened row-major with channels innermost (pixel (y, x), channel
	// c at index (y·Width + x)·Channels + c), values in [−1, 1]: an 8-bit
	// value p is 2p/255 − 1, a 16-bit one 2p/65535 − 1.
	Rows []float64
	// Shape is the size of every image (after resizing).
	Shape ImageShape
	// Files are the base names of the image files, sorted.
	Files []string
}

// Options adjust how Open reads folders of images.
type Options struct {
	// Size, when its Width and Height are positive, is the size every
	// image of a folder is resized to (its Channels are not used); an
	// image already of that size is kept exactly. Without it all the
	// images of a folder must have one size.
	Size ImageShape
	// MaxBytes, when positive, is the memory the rows of one folder may
	// take (8 bytes a value); a folder that needs more is refused before
	// any image is decoded, with the amount it needs.
	MaxBytes float64
}

// isImageFile reports whether name has the extension of a format
// ReadFolder reads: .png, .jpg, .jpeg in any letter case.
func isImageFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".png", ".jpg", ".jpeg":
		return true
	}
	return false
}

// ReadFolder reads every PNG and JPEG file in dir (by extension .png, .jpg,
// .jpeg in any letter case; names starting with a dot and subfolders are
// skipped), in sorted name order so that a seed draws the same rows on any
// machine, with the standard library's decoders.
//
// Images are grayscale (1 channel) when every file stores gray levels (a
// gray PNG or JPEG, or a palette of grays) and colour (3 channels: red,
// green, blue) when every file stores colours; alpha is ignored (the
// colour as stored, not premultiplied). Resizing (Options.Size) uses
// Catmull–Rom cubic convolution (golang.org/x/image/xdraw.CatmullRom),
// whose kernel is widened over the source pixels when shrinking, so
// shrinking a photograph by 10× averages instead of aliasing as the
// bilinear shortcut (ApproxBiLinear reads 4 source pixels) would, and
// enlarging stays sharp. It is the best of that package's kernels and
// costs milliseconds per image, which decoding the file costs anyway.
//
// Each error names the file at fault: another file type in the folder
// (unsupported format), a file that is not a PNG or JPEG inside, one that
// is truncated or corrupt, an image whose size differs from the first one
// without Options.Size, a grayscale image among colour ones or the
// reverse. An empty folder and one whose rows would exceed
// Options.MaxBytes are errors too. Sizes, channels and memory are checked
// from the files' headers before any image is decoded.
func ReadFolder(dir string, o Options) (*Folder, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	var files []string
	for _, e := range ents {
		name := e.Name()
		if strings.HasPrefix(name, ".") || e.IsDir() {
			continue
		}
		if !isImageFile(name) {
			return nil, fmt.Errorf("datasets: %s: unsupported format %q: a folder of images holds .png, .jpg and .jpeg files only", filepath.Join(dir, name), filepath.Ext(name))
		}
		files = append(files, name) // os.ReadDir sorts by name
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("datasets: %s: empty folder: no .png, .jpg or .jpeg files", dir)
	}
	resize := o.Size.Width > 0 && o.Size.Height > 0
	var shape ImageShape
	for i, name := range files {
		path := filepath.Join(dir, name)
		cfg, err := decodeConfig(path)
		if err != nil {
			return nil, err
		}
		s := ImageShape{Width: cfg.Width, Height: cfg.Height, Channels: channels(cfg.ColorModel)}
		if s.Width < 1 || s.Height < 1 {
			return nil, fmt.Errorf("datasets: %s: image of %d×%d pixels", path, s.Width, s.Height)
		}
		if i == 0 {
			shape = s
			continue
		}
		first := filepath.Join(dir, files[0])
		if s.Channels != shape.Channels {
			return nil, fmt.Errorf("datasets: %s is %s, but %s is %s: the images of a folder must all be grayscale or all colour",
				path, channelWord(s.Channels), first, channelWord(shape.Channels))
		}
		if !resize && (s.Width != shape.Width || s.Height != shape.Height) {
			return nil, fmt.Errorf("datasets: %s is %d×%d pixels, but %s is %d×%d: the images of a folder must share one size, or be resized to one (mmi train --size WxH)",
				path, s.Width, s.Height, first, shape.Width, shape.Height)
		}
	}
	if resize {
		shape.Width, shape.Height = o.Size.Width, o.Size.Height
	}
	need := 8 * float64(len(files)) * float64(shape.Dim())
	if o.MaxBytes > 0 && need > o.MaxBytes {
		return nil, fmt.Errorf("datasets: %s: its %d images of %s pixels need %s of memory, more than the %s available",
			dir, len(files), shape, bytesize.Format(need), bytesize.Format(o.MaxBytes))
	}
	f := &Folder{Shape: shape, Files: files, Rows: make([]float64, 0, len(files)*shape.Dim())}
	for _, name := range files {
		img, err := decode(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		if b := img.Bounds(); b.Dx() != shape.Width || b.Dy() != shape.Height {
			img = scale(img, shape)
		}
		f.Rows = appendPixels(f.Rows, img, shape.Channels)
	}
	return f, nil
}

// decodeConfig reads the header of the image file at path.
func decodeConfig(path string) (image.Config, error) {
	r, err := os.Open(path)
	if err != nil {
		return image.Config{}, fmt.Errorf("datasets: %w", err)
	}
	defer r.Close()
	cfg, format, err := image.DecodeConfig(r)
	if err != nil {
		return cfg, decodeError(path, err)
	}
	if format != "png" && format != "jpeg" {
		return cfg, fmt.Errorf("datasets: %s: unsupported format %s inside: a folder of images holds PNG and JPEG files only", path, format)
	}
	return cfg, nil
}

// decode reads the image file at path.
func decode(path string) (image.Image, error) {
	r, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	defer r.Close()
	img, _, err := image.Decode(r)
	if err != nil {
		return nil, decodeError(path, err)
	}
	return img, nil
}

// decodeError says what is wrong with a file the decoders refused.
func decodeError(path string, err error) error {
	switch {
	case errors.Is(err, image.ErrFormat):
		return fmt.Errorf("datasets: %s: unsupported format: not a PNG or JPEG file", path)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || strings.HasSuffix(err.Error(), "unexpected EOF") ||
		strings.HasSuffix(err.Error(), "not enough pixel data"):
		return fmt.Errorf("datasets: %s: truncated image file (%v)", path, err)
	}
	return fmt.Errorf("datasets: %s: corrupt image file: %v", path, err)
}

// channels returns 1 for a model of gray levels (including a palette of
// grays), 3 otherwise.
func channels(m color.Model) int {
	switch m {
	case color.GrayModel, color.Gray16Model:
		return 1
	}
	if p, ok := m.(color.Palette); ok {
		for _, c := range p {
			r, g, b, _ := color.NRGBA64Model.Convert(c).RGBA()
			if r != g || g != b {
				return 3
			}
		}
		return 1
	}
	return 3
}

func channelWord(c int) string {
	if c == 1 {
		return "grayscale"
	}
	return "colour"
}

// scale resizes img to s with Catmull–Rom (see ReadFolder), at 16 bits a
// channel.
func scale(img image.Image, s ImageShape) image.Image {
	r := image.Rect(0, 0, s.Width, s.Height)
	var dst xdraw.Image = image.NewRGBA64(r)
	if s.Channels == 1 {
		dst = image.NewGray16(r)
	}
	xdraw.CatmullRom.Scale(dst, r, img, img.Bounds(), xdraw.Src, nil)
	return dst
}

// appendPixels appends the pixels of img, row-major, c channels each,
// scaled to [−1, 1].
func appendPixels(rows []float64, img image.Image, c int) []float64 {
	b := img.Bounds()
	switch m := img.(type) {
	case *image.Gray:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for _, p := range m.Pix[m.PixOffset(b.Min.X, y):m.PixOffset(b.Max.X, y)] {
				rows = append(rows, 2*float64(p)/255-1)
			}
		}
		return rows
	case *image.RGBA:
		if c == 3 && m.Opaque() { // premultiplied = stored colour
			for y := b.Min.Y; y < b.Max.Y; y++ {
				px := m.Pix[m.PixOffset(b.Min.X, y):m.PixOffset(b.Max.X, y)]
				for i := 0; i < len(px); i += 4 {
					rows = append(rows, 2*float64(px[i])/255-1, 2*float64(px[i+1])/255-1, 2*float64(px[i+2])/255-1)
				}
			}
			return rows
		}
	case *image.NRGBA:
		if c == 3 {
			for y := b.Min.Y; y < b.Max.Y; y++ {
				px := m.Pix[m.PixOffset(b.Min.X, y):m.PixOffset(b.Max.X, y)]
				for i := 0; i < len(px); i += 4 {
					rows = append(rows, 2*float64(px[i])/255-1, 2*float64(px[i+1])/255-1, 2*float64(px[i+2])/255-1)
				}
			}
			return rows
		}
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if c == 1 {
				g := color.Gray16Model.Convert(img.At(x, y)).(color.Gray16)
				rows = append(rows, 2*float64(g.Y)/65535-1)
				continue
			}
			p := color.NRGBA64Model.Convert(img.At(x, y)).(color.NRGBA64)
			rows = append(rows, 2*float64(p.R)/65535-1, 2*float64(p.G)/65535-1, 2*float64(p.B)/65535-1)
		}
	}
	return rows
}
