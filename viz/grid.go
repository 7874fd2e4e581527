package viz

import (
	"errors"
	"fmt"
	"image"
	"math"
)

// GridPad is the width in pixels of the gray border around and between the
// tiles of an image grid, and GridPadGray its gray level.
const (
	GridPad     = 2
	GridPadGray = 128
)

// gridMinSide is the side in pixels that ImageScale enlarges images to.
const gridMinSide = 84

// ImageScale returns the integer nearest-neighbour enlargement ImageGrid
// applies to w×h images: the smallest factor that makes the larger side at
// least 84 pixels, and 1 for images already that large. It is 3 for 28×28
// MNIST digits and 11 for 8×8 UCI digits.
func ImageScale(w, h int) int {
	side := max(w, h)
	if side <= 0 {
		return 1
	}
	return max(1, (gridMinSide+side-1)/side)
}

// GridImage lays out the n = len(images)/(w·h) flattened grayscale images
// (each h rows of w values, row-major) in a grid of min(cols, n) columns and
// ⌈n/cols⌉ rows, filled row by row. Each value v becomes the gray level
// round(255·(v − lo)/(hi − lo)), clamped to [0, 255] (NaN to 0), and each
// image is enlarged by ImageScale(w, h) with nearest-neighbour sampling.
// Tiles are separated and surrounded by GridPad pixels of gray GridPadGray,
// as are empty tiles of the last row. The result is
// cols·w·s + (cols+1)·GridPad pixels wide and rows·h·s + (rows+1)·GridPad
// high.
//
// It returns an error if w, h or cols is not positive, images is empty or
// not a multiple of w·h, or lo < hi does not hold for finite lo and hi.
func GridImage(images []float64, w, h, cols int, lo, hi float64) (*image.Gray, error) {
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("viz: image size %d×%d", w, h)
	}
	if cols <= 0 {
		return nil, fmt.Errorf("viz: %d columns", cols)
	}
	if len(images) == 0 {
		return nil, errors.New("viz: no images")
	}
	if len(images)%(w*h) != 0 {
		return nil, fmt.Errorf("viz: %d values are not a whole number of %d×%d images", len(images), w, h)
	}
	if !(lo < hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil, fmt.Errorf("viz: gray range [%v, %v]", lo, hi)
	}
	n := len(images) / (w * h)
	cols = min(cols, n)
	nrows := (n + cols - 1) / cols
	s := ImageScale(w, h)
	tw, th := w*s, h*s
	W := cols*tw + (cols+1)*GridPad
	H := nrows*th + (nrows+1)*GridPad
	img := image.NewGray(image.Rect(0, 0, W, H))
	for i := range img.Pix {
		img.Pix[i] = GridPadGray
	}
	scale := 255 / (hi - lo)
	for k := 0; k < n; k++ {
		x0 := GridPad + (k%cols)*(tw+GridPad)
		y0 := GridPad + (k/cols)*(th+GridPad)
		src := images[k*w*h : (k+1)*w*h]
		for y := 0; y < th; y++ {
			row := img.Pix[(y0+y)*img.Stride+x0 : (y0+y)*img.Stride+x0+tw]
			srow := src[(y/s)*w : (y/s+1)*w]
			for x := range row {
				row[x] = gray((srow[x/s] - lo) * scale)
			}
		}
	}
	return img, nil
}

// gray rounds v to a gray level, clamped to [0, 255]; NaN is 0.
func gray(v float64) uint8 {
	switch {
	case !(v > 0): // also NaN
		return 0
	case v >= 255:
		return 255
	}
	return uint8(v + 0.5)
}

// ImageGrid writes GridImage(images, w, h, cols, lo, hi) to path as a PNG,
// atomically. Use lo = 0, hi = 1 for MNIST scaled to [0, 1].
func ImageGrid(path string, images []float64, w, h, cols int, lo, hi float64) error {
	img, err := GridImage(images, w, h, cols, lo, hi)
	if err != nil {
		return err
	}
	return writePNG(path, img)
}

// ChannelGridImage is GridImage for images of c channels per pixel
// (channels innermost, as datasets.ImageShape lays them out): c = 1 is
// GridImage itself, c = 3 draws red, green and blue, each value mapped to
// a level as GridImage maps gray, on the same gray border.
func ChannelGridImage(images []float64, w, h, c, cols int, lo, hi float64) (image.Image, error) {
	switch c {
	case 1:
		return GridImage(images, w, h, cols, lo, hi)
	case 3:
	default:
		return nil, fmt.Errorf("viz: images of %d channels (want 1 or 3)", c)
	}
	if w <= 0 || h <= 0 || len(images)%3 != 0 {
		return nil, fmt.Errorf("viz: %d values are not a whole number of %d×%d×3 images", len(images), w, h)
	}
	// Draw each channel as a gray grid and interleave them: the layout
	// and the level of every value are GridImage's.
	n := len(images) / 3
	var planes [3]*image.Gray
	plane := make([]float64, n)
	for ch := range planes {
		for i := range plane {
			plane[i] = images[3*i+ch]
		}
		g, err := GridImage(plane, w, h, cols, lo, hi)
		if err != nil {
			return nil, err
		}
		planes[ch] = g
	}
	b := planes[0].Bounds()
	img := image.NewNRGBA(b)
	for i := range planes[0].Pix {
		img.Pix[4*i], img.Pix[4*i+1], img.Pix[4*i+2], img.Pix[4*i+3] = planes[0].Pix[i], planes[1].Pix[i], planes[2].Pix[i], 255
	}
	return img, nil
}

// ChannelGrid writes ChannelGridImage(images, w, h, c, cols, lo, hi) to
// path as a PNG, atomically.
func ChannelGrid(path string, images []float64, w, h, c, cols int, lo, hi float64) error {
	img, err := ChannelGridImage(images, w, h, c, cols, lo, hi)
	if err != nil {
		return err
	}
	return writePNG(path, img)
}

// Picture returns one image of w×h pixels of c channels (1: gray, 3:
// red, green, blue; channels innermost) at its own size, each value v
// mapped to the level round(255·(v − lo)/(hi − lo)) clamped to [0, 255] as
// in GridImage. A value 2p/255 − 1 of an 8-bit image read by
// datasets.ReadFolder gives back p with lo = −1, hi = 1.
func Picture(pixels []float64, w, h, c int, lo, hi float64) (image.Image, error) {
	if w <= 0 || h <= 0 || (c != 1 && c != 3) || len(pixels) != w*h*c {
		return nil, fmt.Errorf("viz: %d values are not one %d×%d image of %d channels", len(pixels), w, h, c)
	}
	if !(lo < hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil, fmt.Errorf("viz: value range [%v, %v]", lo, hi)
	}
	scale := 255 / (hi - lo)
	r := image.Rect(0, 0, w, h)
	if c == 1 {
		img := image.NewGray(r)
		for i, v := range pixels {
			img.Pix[i] = gray((v - lo) * scale)
		}
		return img, nil
	}
	img := image.NewNRGBA(r)
	for i := 0; i < w*h; i++ {
		for ch := 0; ch < 3; ch++ {
			img.Pix[4*i+ch] = gray((pixels[3*i+ch] - lo) * scale)
		}
		img.Pix[4*i+3] = 255
	}
	return img, nil
}

// WritePicture writes Picture(pixels, w, h, c, lo, hi) to path as a PNG,
// atomically (a temporary file renamed over path once complete).
func WritePicture(path string, pixels []float64, w, h, c int, lo, hi float64) error {
	img, err := Picture(pixels, w, h, c, lo, hi)
	if err != nil {
		return err
	}
	return writePNG(path, img)
}
