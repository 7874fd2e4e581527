package gk

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/mmi-go/mmi/nn"
)

// Network selects the network that computes the heads.
type Network int

const (
	// NetDefault resolves to NetMLP.
	NetDefault Network = iota
	// NetMLP is a fully connected network on features(α) ++ x (Config.Hidden,
	// Config.Activation).
	NetMLP
	// NetUNet is a convolutional U-Net on x seen as an image (Config.Shape),
	// conditioned on features(α) (nn.UNetSpec describes it): its K+1
	// output images of as many channels as x are the raw heads, read out
	// as for the MLP (Heads, NoiseWeight, Bounds).
	NetUNet
)

// String returns "mlp" or "unet".
func (n Network) String() string {
	switch n {
	case NetDefault:
		return "default"
	case NetMLP:
		return "mlp"
	case NetUNet:
		return "unet"
	}
	return fmt.Sprintf("Network(%d)", int(n))
}

// ParseNetwork returns the network named s ("mlp" or "unet").
func ParseNetwork(s string) (Network, error) {
	for _, n := range []Network{NetMLP, NetUNet} {
		if n.String() == s {
			return n, nil
		}
	}
	return 0, fmt.Errorf("gk: unknown network %q (want mlp or unet)", s)
}

// UNet configures a NetUNet. A zero field means the default.
type UNet struct {
	// Widths lists the channels of each level, finest first; nil means
	// DefaultUNetWidths, with levels dropped from the end until the image
	// halves evenly.
	Widths []int
	// Embed is the width of the α-embedding; 0 means 128.
	Embed int
	// Groups is the number of GroupNorm groups; 0 means 8.
	Groups int
	// Blocks is the number of residual blocks per level on each side of
	// the U; 0 means 1.
	Blocks int
}

// DefaultUNetWidths is the channels per level of a U-Net with Widths nil
// (gk/ARCHITECTURE.md, "U-Net", has the measurements).
var DefaultUNetWidths = []int{32, 64, 64}

// DefaultUNetWidthsFor returns the widths a U-Net on images of height h
// and width w uses by default: DefaultUNetWidths without the levels that
// the image cannot be halved into evenly.
func DefaultUNetWidthsFor(h, wd int) []int {
	w := DefaultUNetWidths
	for len(w) > 1 && (h%(1<<(len(w)-1)) != 0 || wd%(1<<(len(w)-1)) != 0) {
		w = w[:len(w)-1]
	}
	return append([]int(nil), w...)
}

// unetDefaults fills the U-Net fields of c (for NetUNet only).
func (c Config) unetDefaults() Config {
	if c.Shape == nil {
		side := int(math.Round(math.Sqrt(float64(c.Dim))))
		if c.Dim > 0 && side*side == c.Dim {
			c.Shape = []int{side, side, 1}
		}
	}
	u := c.UNet
	if u.Widths == nil && len(c.Shape) == 3 {
		u.Widths = DefaultUNetWidthsFor(c.Shape[0], c.Shape[1])
	}
	u.Widths = append([]int(nil), u.Widths...)
	if u.Embed == 0 {
		u.Embed = 128
	}
	if u.Groups == 0 {
		u.Groups = 8
	}
	u.Blocks = max(u.Blocks, 1)
	c.UNet = u
	return c
}

// unetSpec returns the network spec of a U-Net configuration (defaults
// filled in) with featDim conditioning inputs.
func (c Config) unetSpec(featDim int) nn.UNetSpec {
	return nn.UNetSpec{
		H: c.Shape[0], W: c.Shape[1], C: c.Shape[2],
		Cond: featDim, Out: c.Marginals * c.Shape[2],
		Widths: c.UNet.Widths, Embed: c.UNet.Embed, Groups: c.UNet.Groups, Blocks: c.UNet.Blocks,
	}
}

// validateUNet checks the U-Net fields of c (defaults filled in).
func (c Config) validateUNet() error {
	// Shape itself (three positive sizes of product Dim) is checked with
	// the other fields.
	if c.Shape == nil {
		return fmt.Errorf("gk: a U-Net needs an image shape (dimension %d is not a square; give Config.Shape)", c.Dim)
	}
	if len(c.Shape) != 3 {
		return nil
	}
	return c.unetSpec(1).Validate()
}

// newNetEngine returns the engine of cfg (defaults filled in) with featDim
// α-features, weights drawn from r.
func newNetEngine(cfg Config, featDim int, r *rand.Rand) engine {
	switch {
	case cfg.Net == NetUNet && cfg.Float32:
		return newUNetEngine[float32](cfg.unetSpec(featDim), r)
	case cfg.Net == NetUNet:
		return newUNetEngine[float64](cfg.unetSpec(featDim), r)
	case cfg.Float32:
		return newEngine[float32](cfg.sizes(featDim), cfg.Activation, r)
	}
	return newEngine[float64](cfg.sizes(featDim), cfg.Activation, r)
}

// unetEngine is a U-Net behind the engine interface: rows of
// features(α) ++ x in, rows of K+1 heads of d numbers out.
type unetEngine[T nn.Float] struct {
	net *nn.UNet[T]
	f   int // number of features
}

func newUNetEngine[T nn.Float](spec nn.UNetSpec, r *rand.Rand) *unetEngine[T] {
	return &unetEngine[T]{net: nn.NewUNet[T](spec, r), f: spec.Cond}
}

func (e *unetEngine[T]) numParams() int { return len(e.net.Params) }
func (e *unetEngine[T]) float32() bool  { var z T; _, ok := any(z).(float32); return ok }
func (e *unetEngine[T]) params() any    { return e.net.Params }
func (e *unetEngine[T]) clone() engine  { return &unetEngine[T]{net: e.net.Clone(), f: e.f} }

func (e *unetEngine[T]) newScratch(rows int) engineScratch {
	s := e.net.Spec
	d := s.H * s.W * s.C
	out := s.H * s.W * s.Out
	return &unetScratch[T]{
		e: e, ws: e.net.NewWorkspace(rows), d: d,
		in64: make([]float64, rows*(e.f+d)), out64: make([]float64, rows*out),
		dOut64: make([]float64, rows*out), dIn64: make([]float64, rows*(e.f+d)),
		img: make([]T, rows*d), cond: make([]T, rows*e.f),
		dOutT: make([]T, rows*out), dImg: make([]T, rows*d), dCond: make([]T, rows*e.f),
	}
}

type unetScratch[T nn.Float] struct {
	e    *unetEngine[T]
	ws   *nn.UNetWorkspace[T]
	d, n int
	// float64 rows that callers fill and read: features ++ x in, K+1 heads
	// of d numbers out.
	in64, out64, dOut64, dIn64 []float64
	// the network's buffers: images (NHWC) and conditioning apart, output
	// NHWC with the heads' channels together.
	img, cond, dOutT, dImg, dCond []T
}

func (s *unetScratch[T]) input(n int) []float64 { return s.in64[:n*(s.e.f+s.d)] }
func (s *unetScratch[T]) dOut(n int) []float64 {
	sp := s.e.net.Spec
	return s.dOut64[:n*sp.Out/sp.C*s.d]
}

// forward splits the rows into conditioning and images, runs the network
// and reorders its output pixel-major, heads-minor (channel k·C + c of
// pixel p) into head-major rows (head k, then pixel p, channel c).
func (s *unetScratch[T]) forward(n int) []float64 {
	s.n = n
	f, d := s.e.f, s.d
	for i := 0; i < n; i++ {
		row := s.in64[i*(f+d) : (i+1)*(f+d)]
		for j, v := range row[:f] {
			s.cond[i*f+j] = T(v)
		}
		for j, v := range row[f:] {
			s.img[i*d+j] = T(v)
		}
	}
	out := s.e.net.Forward(s.ws, s.img[:n*d], s.cond[:n*f], n)
	sp := s.e.net.Spec
	kk, c, hw := sp.Out/sp.C, sp.C, sp.H*sp.W
	o := s.out64[:n*kk*d]
	for i := 0; i < n; i++ {
		src := out[i*hw*kk*c : (i+1)*hw*kk*c]
		dst := o[i*kk*d : (i+1)*kk*d]
		for p := 0; p < hw; p++ {
			for k := 0; k < kk; k++ {
				for ch := 0; ch < c; ch++ {
					dst[k*d+p*c+ch] = float64(src[(p*kk+k)*c+ch])
				}
			}
		}
	}
	return o
}

func (s *unetScratch[T]) backward(grad any, wantIn bool) []float64 {
	n := s.n
	f, d := s.e.f, s.d
	sp := s.e.net.Spec
	kk, c, hw := sp.Out/sp.C, sp.C, sp.H*sp.W
	dOut := s.dOutT[:n*kk*d]
	for i := 0; i < n; i++ {
		src := s.dOut64[i*kk*d : (i+1)*kk*d]
		dst := dOut[i*hw*kk*c : (i+1)*hw*kk*c]
		for p := 0; p < hw; p++ {
			for k := 0; k < kk; k++ {
				for ch := 0; ch < c; ch++ {
					dst[(p*kk+k)*c+ch] = T(src[k*d+p*c+ch])
				}
			}
		}
	}
	var g []T
	if grad != nil {
		g = grad.([]T)
		nn.ZeroGrad(g) // nn.UNet.Backward adds to grad
	}
	if !wantIn {
		s.e.net.Backward(s.ws, dOut, g, nil, nil)
		return nil
	}
	s.e.net.Backward(s.ws, dOut, g, s.dImg[:n*d], s.dCond[:n*f])
	dIn := s.dIn64[:n*(f+d)]
	for i := 0; i < n; i++ {
		row := dIn[i*(f+d) : (i+1)*(f+d)]
		for j := range row[:f] {
			row[j] = float64(s.dCond[i*f+j])
		}
		for j := range row[f:] {
			row[f+j] = float64(s.dImg[i*d+j])
		}
	}
	return dIn
}
