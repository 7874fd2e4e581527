package viz

import (
	"image"
	"testing"
)

// ChannelGridImage of colour images puts each channel's GridImage level
// in its colour component, and of gray images is GridImage; Picture maps
// a value 2p/255 − 1 back to the level p.
func TestChannelGridAndPicture(t *testing.T) {
	const w, h, n = 3, 2, 3
	x := make([]float64, n*w*h*3)
	for i := range x {
		x[i] = float64(i%17)/8 - 1
	}
	img, err := ChannelGridImage(x, w, h, 3, 2, -1, 1)
	if err != nil {
		t.Fatal(err)
	}
	c := img.(*image.NRGBA)
	for ch := 0; ch < 3; ch++ {
		plane := make([]float64, n*w*h)
		for i := range plane {
			plane[i] = x[3*i+ch]
		}
		g, _ := GridImage(plane, w, h, 2, -1, 1)
		for i, p := range g.Pix {
			if c.Pix[4*i+ch] != p || c.Pix[4*i+3] != 255 {
				t.Fatalf("channel %d, pixel %d: %d, want %d", ch, i, c.Pix[4*i+ch], p)
			}
		}
	}
	if _, err := ChannelGridImage(x, w, h, 2, 2, -1, 1); err == nil {
		t.Error("2 channels accepted")
	}
	row := make([]float64, w*h*3)
	for i := range row {
		row[i] = 2*float64(i*13)/255 - 1
	}
	p, err := Picture(row, w, h, 3, -1, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < w*h; i++ {
		for ch := 0; ch < 3; ch++ {
			if got := p.(*image.NRGBA).Pix[4*i+ch]; int(got) != (3*i+ch)*13 {
				t.Fatalf("Picture value %d: level %d, want %d", 3*i+ch, got, (3*i+ch)*13)
			}
		}
	}
}
