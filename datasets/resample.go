package datasets

import (
	"fmt"
	"math"
)

// Resample returns the images of rows (each from.Height rows of
// from.Width pixels, row-major, as ClassSplit returns them) at the size
// to, for comparing data sets of different resolutions (MNIST's 28×28 and
// the UCI digits' 8×8, say). Each axis is resampled on its own:
//
//   - shrinking (to < from) averages areas: output pixel j covers the
//     interval [j·s, (j+1)·s) of input pixels, s = from/to, and is the mean
//     of the input over it, partial pixels weighted by their overlap. A
//     28-pixel axis to 8 averages blocks of 3.5 pixels; 32 to 8 would be
//     the UCI set's own 4×4 block counts. Ink is conserved: the mean pixel
//     value is unchanged.
//   - enlarging (to > from) interpolates linearly between the input pixel
//     centres (bilinear on both axes), output pixel j sampling the input at
//     (j + ½)·from/to − ½, clamped to the edge pixels.
//
// Both are convex combinations of input pixels, so values stay within the
// input's range ([−1, 1] for the built-in sets). It returns an error for
// sizes that are not positive or rows that are not whole images.
func Resample(rows []float64, from, to ImageShape) ([]float64, error) {
	if from.Width < 1 || from.Height < 1 || to.Width < 1 || to.Height < 1 {
		return nil, fmt.Errorf("datasets: resample %d×%d to %d×%d: sizes must be positive", from.Width, from.Height, to.Width, to.Height)
	}
	din := from.Width * from.Height
	if len(rows)%din != 0 {
		return nil, fmt.Errorf("datasets: resample: %d values are not whole %d×%d images", len(rows), from.Width, from.Height)
	}
	if from == to {
		return append([]float64(nil), rows...), nil
	}
	wx := axisWeights(from.Width, to.Width)   // to.Width × from.Width
	wy := axisWeights(from.Height, to.Height) // to.Height × from.Height
	n := len(rows) / din
	out := make([]float64, n*to.Width*to.Height)
	tmp := make([]float64, from.Height*to.Width) // rows resampled along x
	for i := 0; i < n; i++ {
		src := rows[i*din : (i+1)*din]
		for y := 0; y < from.Height; y++ {
			line := src[y*from.Width : (y+1)*from.Width]
			for x := 0; x < to.Width; x++ {
				s := 0.0
				for k, w := range wx[x*from.Width : (x+1)*from.Width] {
					s += w * line[k]
				}
				tmp[y*to.Width+x] = s
			}
		}
		dst := out[i*to.Width*to.Height : (i+1)*to.Width*to.Height]
		for y := 0; y < to.Height; y++ {
			wrow := wy[y*from.Height : (y+1)*from.Height]
			for x := 0; x < to.Width; x++ {
				s := 0.0
				for k, w := range wrow {
					if w != 0 {
						s += w * tmp[k*to.Width+x]
					}
				}
				dst[y*to.Width+x] = s
			}
		}
	}
	return out, nil
}

// axisWeights returns the to × from matrix (row-major) that resamples one
// axis of from pixels to to pixels: area averages when shrinking, linear
// interpolation when enlarging (see Resample). Every row sums to one.
func axisWeights(from, to int) []float64 {
	w := make([]float64, to*from)
	if to <= from {
		s := float64(from) / float64(to)
		for j := 0; j < to; j++ {
			lo, hi := float64(j)*s, float64(j+1)*s
			for k := int(lo); k < from && float64(k) < hi; k++ {
				overlap := math.Min(hi, float64(k+1)) - math.Max(lo, float64(k))
				if overlap > 0 {
					w[j*from+k] = overlap / s
				}
			}
		}
		return w
	}
	for j := 0; j < to; j++ {
		u := (float64(j)+0.5)*float64(from)/float64(to) - 0.5
		u = math.Max(0, math.Min(u, float64(from-1)))
		k := int(u)
		f := u - float64(k)
		w[j*from+k] += 1 - f
		if f > 0 {
			w[j*from+k+1] += f
		}
	}
	return w
}
