package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// SourceTie measures how much of its source a translated image keeps: the
// mean pixel correlation of each output with its own source (Own), beside
// the mean correlation with a random other source of the same set (Other),
// which is what any two images of the same kind share (the frame, the
// typical stroke placement of the class). Own well above Other means the
// outputs keep their sources' particulars: slant, thickness, placement,
// and also, for translations between classes, a ghost of the source's
// strokes; Own near Other means the source was forgotten.
//
// The correlation of two images is Pearson's over their pixels; an image
// whose pixels are all equal has none and counts 0.
type SourceTie struct {
	Own, Other     float64
	OwnSE, OtherSE float64 // their standard errors over the n images
	N              int     // pairs of output and source
}

// SourceCorrelation returns the SourceTie of the outputs out, row r of
// which was made from row r of src (n rows of d pixels each, n ≥ 2). For
// Other each output is paired with a source drawn uniformly among the
// n − 1 others, using r. It fails when the sets differ in size or are not
// whole rows of d values, or have fewer than two rows.
func SourceCorrelation(out, src []float64, d int, r *rand.Rand) (SourceTie, error) {
	if d < 2 || len(out) != len(src) || len(out)%d != 0 || len(out) < 2*d {
		return SourceTie{}, fmt.Errorf("metrics: source correlation needs as many rows of outputs as of sources, at least 2, of %d values each; got %d and %d values", d, len(out), len(src))
	}
	n := len(out) / d
	own, other := make([]float64, n), make([]float64, n)
	for i := range own {
		j := r.IntN(n - 1)
		if j >= i {
			j++
		}
		o := out[i*d : (i+1)*d]
		own[i] = correlation(o, src[i*d:(i+1)*d])
		other[i] = correlation(o, src[j*d:(j+1)*d])
	}
	t := SourceTie{N: n}
	t.Own, t.OwnSE = MeanSE(own)
	t.Other, t.OtherSE = MeanSE(other)
	return t, nil
}

// MeanSE returns the mean of v and its standard error, the sample
// standard deviation over √len(v) (NaN for a single value).
func MeanSE(v []float64) (mean, se float64) {
	for _, x := range v {
		mean += x
	}
	n := float64(len(v))
	mean /= n
	var ss float64
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / (n - 1) / n)
}

// correlation is Pearson's correlation of a and b (equal lengths), 0 when
// either is constant.
func correlation(a, b []float64) float64 {
	var ma, mb float64
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma /= float64(len(a))
	mb /= float64(len(b))
	var sab, saa, sbb float64
	for i := range a {
		u, v := a[i]-ma, b[i]-mb
		sab += u * v
		saa += u * u
		sbb += v * v
	}
	if saa == 0 || sbb == 0 {
		return 0
	}
	return sab / math.Sqrt(saa*sbb)
}
