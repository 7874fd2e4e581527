package path

import "fmt"

// Hold pins some coordinates of every row to a known course while
// Integrate or IntegrateSDE moves the others: the exact mode of
// in-painting, where the user knows which pixels of the input are to be
// kept. Held coordinate j of row i follows
//
//	x_ij(t) = (1 − α_0(t))·v_ij + α_0(t)·z_ij ,
//
// the interpolant's value when every data marginal equals v_ij there (a
// masked image and its complete image agree on the kept pixels) and the
// Gaussian drew z_ij. Where the path stays on the data face (α_0 = 0, a
// transfer along a data edge) the held coordinates stay at v, bit for bit;
// a path that leaves the face (for the stochastic generator) noises them
// as the interpolant does and brings them back to v where α_0 returns to
// 0. The solver sees the derivative α̇_0·(z − v) for them (constant on each
// piece of a polyline, so every solver integrates it exactly up to
// rounding) and no Brownian noise, and the integration sets them to the
// course at t = 0 before it starts and at t = 1 when it ends, so the ends
// are exact.
type Hold struct {
	// Mask has one entry per coordinate (d): true where held.
	Mask []bool
	// Value holds v: n rows of d numbers, as the batch (only the held
	// coordinates are read).
	Value []float64
	// Noise holds z like Value; nil means z = 0. Only read where α_0 > 0.
	Noise []float64
}

func (o *Options) hold() *Hold {
	if o == nil {
		return nil
	}
	return o.Hold
}

// check reports a Hold that does not fit a batch of n rows of d.
func (h *Hold) check(n, d int) error {
	if h == nil {
		return nil
	}
	if len(h.Mask) != d {
		return fmt.Errorf("path: hold mask of %d coordinates for dimension %d", len(h.Mask), d)
	}
	if len(h.Value) != n*d || (h.Noise != nil && len(h.Noise) != n*d) {
		return fmt.Errorf("path: hold values (%d numbers) and noise (%d) for a batch of %d rows of %d", len(h.Value), len(h.Noise), n, d)
	}
	return nil
}

// set writes the held course at α_0 = a0 into x.
func (h *Hold) set(x []float64, a0 float64) {
	if h == nil {
		return
	}
	d := len(h.Mask)
	for i := range x {
		if !h.Mask[i%d] {
			continue
		}
		switch {
		case a0 == 0:
			x[i] = h.Value[i]
		case h.Noise == nil:
			x[i] = (1 - a0) * h.Value[i]
		default:
			x[i] = (1-a0)*h.Value[i] + a0*h.Noise[i]
		}
	}
}

// rate writes the derivative of the held course, α̇_0·(z − v), into dst.
func (h *Hold) rate(dst []float64, a0dot float64) {
	if h == nil {
		return
	}
	d := len(h.Mask)
	for i := range dst {
		if !h.Mask[i%d] {
			continue
		}
		z := 0.0
		if h.Noise != nil {
			z = h.Noise[i]
		}
		dst[i] = a0dot * (z - h.Value[i])
	}
}

// still zeroes the held coordinates of noise.
func (h *Hold) still(noise []float64) {
	if h == nil {
		return
	}
	d := len(h.Mask)
	for i := range noise {
		if h.Mask[i%d] {
			noise[i] = 0
		}
	}
}

// holdAt sets the held coordinates of x to their course at time t.
func holdAt(h *Hold, p Path, x []float64, t float64) {
	if h == nil {
		return
	}
	a := make([]float64, p.Len())
	p.Alpha(a, t)
	h.set(x, a[0])
}
