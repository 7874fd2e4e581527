package gk

import (
	"fmt"

	"github.com/mmi-go/mmi/nn"
)

// A checkpoint is outside input: its architecture and settings declare
// sizes that decide how much the reader allocates. These checks run before
// anything is allocated for them, so a small hostile or damaged file (a
// hidden layer of 10^12 units, a batch of 10^12 rows) is refused with an
// error, not left to the Go runtime's out-of-memory crash.

// checkDeclaredSizes checks the layer sizes of cfg (validated) against
// the weight blob of nWeights bytes and the Fourier frequency blobs of
// nFreq bytes (of α) and nXFreq bytes (of x) that the checkpoint actually
// holds. Every layer size is at most the number of weights, so no product
// below overflows.
func checkDeclaredSizes(cfg Config, nFreq, nXFreq, nWeights int) error {
	width := 8
	if cfg.Float32 {
		width = 4
	}
	w := nWeights / width // weights present
	kk, d := cfg.Marginals, cfg.Dim
	featDim := kk
	if cfg.Features.Kind == FeaturesFourier {
		f := cfg.Features.Frequencies
		if nFreq%8 != 0 || nFreq/8%kk != 0 || nFreq/8/kk != f {
			return fmt.Errorf("Fourier frequencies have %d bytes, want %d frequencies × %d marginals float64", nFreq, f, kk)
		}
		if f > (w-kk)/2 {
			return fmt.Errorf("%d Fourier frequencies do not fit in %d weights", f, w)
		}
		featDim += 2 * f
	}
	if f := cfg.XFeatures.Frequencies; f > 0 {
		if nXFreq%8 != 0 || nXFreq/8%d != 0 || nXFreq/8/d != f {
			return fmt.Errorf("Fourier frequencies of x have %d bytes, want %d frequencies × dimension %d float64", nXFreq, f, d)
		}
		if f > (w-featDim)/2 {
			return fmt.Errorf("%d Fourier frequencies of x do not fit in %d weights", f, w)
		}
		featDim += 2 * f
	} else if nXFreq != 0 {
		return fmt.Errorf("Fourier frequencies of x without features of x")
	}
	if cfg.Net == NetUNet {
		return checkUNetSizes(cfg, featDim, nWeights/width, nWeights%width == 0)
	}
	if kk > w || d > w/kk || featDim > w-d {
		return fmt.Errorf("%d marginals of dimension %d do not fit in %d weights", kk, d, w)
	}
	sizes := []int{featDim + d}
	for _, h := range cfg.Hidden {
		if h > w {
			return fmt.Errorf("hidden layer of width %d does not fit in %d weights", h, w)
		}
		sizes = append(sizes, h)
	}
	sizes = append(sizes, kk*d)
	n := 0
	for l := 0; l+1 < len(sizes); l++ {
		in, out := sizes[l], sizes[l+1]
		if out > (w-n)/(in+1) {
			return fmt.Errorf("layer sizes %v need more than the %d weights present", sizes, w)
		}
		n += (in + 1) * out
	}
	if n*width != nWeights {
		return fmt.Errorf("weights have %d bytes, layer sizes %v need %d", nWeights, sizes, n*width)
	}
	return nil
}

// maxUNetDim bounds the dimension of a U-Net checkpoint's samples (2^24,
// a 4096×4096 image of one channel), whose weights do not grow with it.
const maxUNetDim = 1 << 24

// checkUNetSizes checks a U-Net configuration (validated: widths, levels
// and groups are bounded) against the weights present.
func checkUNetSizes(cfg Config, featDim, w int, whole bool) error {
	if cfg.Dim > maxUNetDim || cfg.Marginals > maxUNetDim/cfg.Dim {
		return fmt.Errorf("U-Net on %d marginals of dimension %d: more than %d numbers per row", cfg.Marginals, cfg.Dim, maxUNetDim)
	}
	if cfg.UNet.Embed > w || featDim > w {
		return fmt.Errorf("U-Net embedding of %d for %d features does not fit in %d weights", cfg.UNet.Embed, featDim, w)
	}
	if n := nn.UNetParams(cfg.unetSpec(featDim)); !whole || n != w {
		return fmt.Errorf("weights hold %d numbers, the U-Net needs %d", w, n)
	}
	return nil
}

// maxBatchNumbers bounds the numbers a resumed trainer may allocate per
// batch (its batch buffers and network workspace): 2^31, 16 GiB of
// float64, far above any batch that trains in reasonable time.
const maxBatchNumbers = 1 << 31

// checkBatchMemory refuses a recorded batch size whose buffers for a
// network of the given layer sizes would exceed maxBatchNumbers, saying
// how much memory it would take.
func checkBatchMemory(batch, marginals, dim int, sizes []int) error {
	perRow := marginals * (dim + 1) // α and one draw per marginal
	for _, s := range sizes {
		perRow += 4 * s // activations, gradients and conversion buffers
	}
	if batch > maxBatchNumbers/perRow {
		return fmt.Errorf("batch size %d needs %.3g GiB of buffers (%d numbers per row); the limit is %d GiB",
			batch, float64(batch)*float64(perRow)*8/(1<<30), perRow, maxBatchNumbers*8>>30)
	}
	return nil
}

// memorySizes returns the per-row sizes that checkBatchMemory weighs: the
// MLP's layer sizes, or for a U-Net its input, its workspace per row
// (a quarter, as checkBatchMemory counts four numbers per size) and output.
func (c Config) memorySizes(featDim int) []int {
	if c.Net != NetUNet {
		return c.sizes(featDim)
	}
	return []int{featDim + c.Dim, nn.UNetRowNumbers(c.unetSpec(featDim))/4 + 1, c.Marginals * c.Dim}
}

// maxPayloadDepth bounds how deeply arrays and maps nest in a payload;
// the checkpoint format nests three deep.
const maxPayloadDepth = 32

// checkPayload walks the MessagePack payload before it is decoded and
// checks that it is exactly one value, nested at most maxPayloadDepth
// deep, whose every declared length (string, binary, extension, array,
// map) fits in the bytes that remain. The msgpack decoder allocates a
// binary field's declared length up front (4 GiB for a 15-byte payload
// that says so) and skips unknown fields recursively without bound.
func checkPayload(b []byte) error {
	n, err := msgpackValue(b, 0, 0)
	if err != nil {
		return err
	}
	if n != len(b) {
		return fmt.Errorf("payload byte %d: %d bytes after the payload", n, len(b)-n)
	}
	return nil
}

// MessagePack codes: bytes of a number's value, and bytes of the length
// that follows a string, binary, extension, array or map code.
var (
	numberBytes = map[byte]int{0xca: 4, 0xcb: 8, 0xcc: 1, 0xcd: 2, 0xce: 4, 0xcf: 8, 0xd0: 1, 0xd1: 2, 0xd2: 4, 0xd3: 8}
	lengthBytes = map[byte]int{0xc4: 1, 0xc5: 2, 0xc6: 4, 0xc7: 1, 0xc8: 2, 0xc9: 4, 0xd9: 1, 0xda: 2, 0xdb: 4, 0xdc: 2, 0xdd: 4, 0xde: 2, 0xdf: 4}
)

// msgpackValue checks the value starting at b[off] and returns the offset
// just after it.
func msgpackValue(b []byte, off, depth int) (int, error) {
	fail := func(format string, a ...any) (int, error) {
		return 0, fmt.Errorf("payload byte %d: "+format, append([]any{off}, a...)...)
	}
	if off >= len(b) {
		return fail("truncated")
	}
	// be reads an n-byte big-endian length after the code byte.
	be := func(n int) (int, bool) {
		if off+1+n > len(b) {
			return 0, false
		}
		v := 0
		for _, c := range b[off+1 : off+1+n] {
			v = v<<8 | int(c)
		}
		return v, true
	}
	c := b[off]
	var head, length, items int // bytes of header, of data, number of values inside
	switch {
	case c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3:
		return off + 1, nil
	case c <= 0x8f:
		head, items = 1, 2*int(c&0x0f)
	case c <= 0x9f:
		head, items = 1, int(c&0x0f)
	case c <= 0xbf:
		head, length = 1, int(c&0x1f)
	case c == 0xca || c == 0xcb || c >= 0xcc && c <= 0xd3:
		head, length = 1, numberBytes[c]
	case c >= 0xd4 && c <= 0xd8: // fixext: type byte and 1…16 bytes
		head, length = 2, 1<<(c-0xd4)
	default:
		w, ok := lengthBytes[c]
		if !ok {
			return fail("invalid MessagePack code 0x%02x", c)
		}
		v, ok := be(w)
		if !ok {
			return fail("truncated length")
		}
		head = 1 + w
		switch c {
		case 0xc7, 0xc8, 0xc9:
			head, length = head+1, v // extension type byte
		case 0xdc, 0xdd:
			items = v
		case 0xde, 0xdf:
			items = 2 * v
		default:
			length = v
		}
	}
	rest := len(b) - off - head
	if rest < 0 || length > rest || items > rest {
		// Every value inside takes at least one byte.
		return fail("declares %d bytes or %d values, only %d bytes remain", length, items, max(rest, 0))
	}
	next := off + head + length
	if items > 0 {
		if depth >= maxPayloadDepth {
			return fail("nested more than %d deep", maxPayloadDepth)
		}
		for i := 0; i < items; i++ {
			var err error
			if next, err = msgpackValue(b, next, depth+1); err != nil {
				return 0, err
			}
		}
	}
	return next, nil
}
