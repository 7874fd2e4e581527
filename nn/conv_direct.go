package nn

// The direct convolution (float32 on amd64 with AVX-512): no gathered rows
// and no BLAS. Each image is copied once into a zero-padded buffer of
// (H+2p) × (W+2p) pixels (p = K/2); an output pixel (y, x) is then
// computed at the padded-width position q = y·(W+2p) + x, whose K·K taps
// are the pixels q + ky·(W+2p) + kx of the padded image: fixed offsets,
// the same for every q. The kernel runs over all q < H·(W+2p) in blocks of
// 8 positions (the 2p positions at the end of each row are computed and
// dropped), accumulating 8 pixels × 32 output channels in registers over
// the taps and input channels, and the valid pixels are copied out. The
// input gradient is the same kernel on the padded δ with the flipped
// weights; the weight gradient accumulates, per tap and block of 8 input ×
// 32 output channels, Σ_q x(q + tap) ⊗ δ(q) over the padded-width
// positions, where the padded δ is zero at the dropped ones.
//
// Against im2col + sgemm this avoids writing K·K copies of every input
// and OpenBLAS's own packing of them (gk/ARCHITECTURE.md, "U-Net").

// maxTaps bounds K·K for the direct kernels' offset table.
const maxTaps = 49

// direct reports whether the convolution c in T runs on the direct
// kernels: float32, AVX-512, a kernel of at most maxTaps taps larger than
// 1×1, and channels in multiples of 32 both ways (every 3×3 layer of the
// default U-Net but the first and the last).
func direct[T Float](c Conv2D) bool {
	return is32[T]() && haveAVX512 && c.K > 1 && c.K*c.K <= maxTaps && c.In%32 == 0 && c.Out%32 == 0
}

// directPadded reports whether c runs on the direct kernels with its
// output channels padded to the next multiple of 32 (zero weights, the
// extra outputs dropped): In a multiple of 32, Out not, as the last layer
// of a U-Net (32 → K+1 channels). It returns the padded convolution.
func directPadded[T Float](c Conv2D) (Conv2D, bool) {
	pc := c
	pc.Out = (c.Out + 31) &^ 31
	return pc, c.Out%32 != 0 && direct[T](pc)
}

// padWeights returns pc's weights made from c's (pc = c with more output
// channels): c's columns, zeros in the others, in the scratch.
func (s *ConvScratch[T]) padWeights(c, pc Conv2D, w []T) []T {
	np := pc.NumParams()
	if len(s.wpad) < np {
		s.wpad = make([]T, np) // grown once per scratch
	}
	wp := s.wpad[:np]
	clear(wp)
	for r := 0; r <= c.colWidth(); r++ { // the weight rows, then the biases
		copy(wp[r*pc.Out:r*pc.Out+c.Out], w[r*c.Out:(r+1)*c.Out])
	}
	return wp
}

// directGeom is the padded layout of c's images.
type directGeom struct {
	p, wp, hp int // padding, padded width and height
	q, qr     int // computed positions H·wp, rounded up to a multiple of 8
}

func (c Conv2D) directGeom() directGeom {
	p := c.K / 2
	g := directGeom{p: p, wp: c.W + 2*p, hp: c.H + 2*p}
	g.q = c.H * g.wp
	g.qr = (g.q + 7) &^ 7
	return g
}

// padLen is the length of a padded image of ch channels: its pixels and
// the slack that the last block of 8 positions reads past them.
func (g directGeom) padLen(ch int) int { return (g.hp*g.wp + 2*g.p + 8) * ch }

// directLen is the scratch of one part: the padded input, the padded δ
// and the padded-width output.
func (c Conv2D) directLen() int {
	g := c.directGeom()
	return g.padLen(c.In) + g.padLen(c.Out) + g.qr*max(c.In, c.Out)
}

// directBuf returns part p's scratch for c, grown once.
func directBuf[T Float](s *ConvScratch[T], c Conv2D, part int) (xp, dp, op []float32) {
	n := c.directLen()
	if len(s.pads[part]) < n {
		s.pads[part] = make([]T, n) // grown once per scratch
	}
	g := c.directGeom()
	b := as32(s.pads[part][:n])
	xp, b = b[:g.padLen(c.In)], b[g.padLen(c.In):]
	dp, op = b[:g.padLen(c.Out)], b[g.padLen(c.Out):]
	return xp, dp, op
}

// padImageWide is padImage for an image x of xc < ch channels: each
// pixel's channels are followed by ch − xc zeros.
func padImageWide(c Conv2D, g directGeom, ch, xc int, dst, x []float32) {
	clear(dst)
	for y := 0; y < c.H; y++ {
		for xx := 0; xx < c.W; xx++ {
			copy(dst[((y+g.p)*g.wp+g.p+xx)*ch:], x[(y*c.W+xx)*xc:(y*c.W+xx+1)*xc])
		}
	}
}

// padImage writes the image x of ch channels into dst with a zero border
// of p pixels (and zero slack), clearing only the border.
func padImage(c Conv2D, g directGeom, ch int, dst, x []float32) {
	clear(dst[:(g.p*g.wp+g.p)*ch]) // top rows and the left border of row 0
	for y := 0; y < c.H; y++ {
		row := ((y+g.p)*g.wp + g.p) * ch
		copy(dst[row:row+c.W*ch], x[y*c.W*ch:(y+1)*c.W*ch])
		// the right border of this row and the left border of the next
		clear(dst[row+c.W*ch : row+(c.W+2*g.p)*ch])
	}
	clear(dst[((c.H+g.p)*g.wp+g.p)*ch:]) // bottom rows and the slack
}

// zeros32 is the zero bias of the input gradient's blocks.
var zeros32 [32]float32

// taps sets offs[k] to the element offset of tap k = ky·K + kx in a padded
// image of ch channels.
func taps(c Conv2D, g directGeom, ch int, offs *[maxTaps]int) {
	for ky := 0; ky < c.K; ky++ {
		for kx := 0; kx < c.K; kx++ {
			offs[ky*c.K+kx] = (ky*g.wp + kx) * ch
		}
	}
}

// directForward computes the output of images [n0, n1) into out (bias
// included; the first co of c's output channels, all unless padded), with
// part's scratch.
func directForward[T Float](c Conv2D, co int, w, in, out []T, n0, n1 int, s *ConvScratch[T], part int) {
	g := c.directGeom()
	xp, _, op := directBuf(s, c, part)
	var offs [maxTaps]int
	taps(c, g, c.In, &offs)
	hw := c.H * c.W
	w32 := as32(w)
	b := w32[c.K*c.K*c.In*c.Out:]
	for i := n0; i < n1; i++ {
		padImage(c, g, c.In, xp, as32(in[i*hw*c.In:(i+1)*hw*c.In]))
		for ob := 0; ob < c.Out; ob += 32 {
			convFwd32AVX512(&xp[0], &w32[ob], &op[ob], &b[ob], &offs[0], c.K*c.K, c.In, c.Out, c.Out, g.qr/8)
		}
		o := as32(out[i*hw*co : (i+1)*hw*co])
		for y := 0; y < c.H; y++ {
			if co == c.Out {
				copy(o[y*c.W*c.Out:(y+1)*c.W*c.Out], op[y*g.wp*c.Out:])
				continue
			}
			for x := 0; x < c.W; x++ {
				copy(o[(y*c.W+x)*co:(y*c.W+x+1)*co], op[(y*g.wp+x)*c.Out:])
			}
		}
	}
}

// directBackward adds the weight gradients of images [n0, n1) into gw
// (the K·K·In × Out weights only; nil for none) and their input gradients
// into dIn (nil for none); wt holds the flipped weights. dOut has co
// channels (c.Out unless c's outputs are padded; the padding's δ is zero).
func directBackward[T Float](c Conv2D, co int, wt, in, dOut, gw, dIn []T, n0, n1 int, s *ConvScratch[T], part int) {
	g := c.directGeom()
	xp, dp, op := directBuf(s, c, part)
	var offsIn, offsOut [maxTaps]int
	taps(c, g, c.In, &offsIn)
	taps(c, g, c.Out, &offsOut)
	hw := c.H * c.W
	shift := (g.p*g.wp + g.p) * c.Out // δ of position q in the padded δ
	for i := n0; i < n1; i++ {
		if co == c.Out {
			padImage(c, g, c.Out, dp, as32(dOut[i*hw*c.Out:(i+1)*hw*c.Out]))
		} else {
			padImageWide(c, g, c.Out, co, dp, as32(dOut[i*hw*co:(i+1)*hw*co]))
		}
		if gw != nil {
			g32 := as32(gw)
			padImage(c, g, c.In, xp, as32(in[i*hw*c.In:(i+1)*hw*c.In]))
			if c.K == 3 {
				// the three taps of a kernel row in one pass over δ
				for ky := 0; ky < 3; ky++ {
					for ci := 0; ci < c.In; ci += 4 {
						for ob := 0; ob < c.Out; ob += 32 {
							convWGrad3x32AVX512(&xp[offsIn[3*ky]+ci], &dp[shift+ob], &g32[(3*ky*c.In+ci)*c.Out+ob], g.q, c.In, c.Out, c.Out, c.In*c.Out)
						}
					}
				}
			} else {
				for k := 0; k < c.K*c.K; k++ {
					for ci := 0; ci < c.In; ci += 8 {
						for ob := 0; ob < c.Out; ob += 32 {
							convWGrad32AVX512(&xp[offsIn[k]+ci], &dp[shift+ob], &g32[(k*c.In+ci)*c.Out+ob], g.q, c.In, c.Out, c.Out)
						}
					}
				}
			}
		}
		if dIn != nil {
			w32 := as32(wt)
			for ob := 0; ob < c.In; ob += 32 {
				convFwd32AVX512(&dp[0], &w32[ob], &op[ob], &zeros32[0], &offsOut[0], c.K*c.K, c.Out, c.In, c.In, g.qr/8)
			}
			d := as32(dIn[i*hw*c.In : (i+1)*hw*c.In])
			for y := 0; y < c.H; y++ {
				addTo32AVX2(&d[y*c.W*c.In], &op[y*g.wp*c.In], c.W*c.In) // c.In is a multiple of 32
			}
		}
	}
}
