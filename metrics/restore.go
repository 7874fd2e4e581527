package metrics

import (
	"fmt"
	"math"
)

// MaxPSNR is the PSNR MeanPSNR counts for a row equal to its truth (whose
// PSNR is infinite): a cap far above any restoration's.
const MaxPSNR = 100

// MeanPSNR returns the mean over the rows of the peak signal-to-noise
// ratio of a against the truth b (rows of d numbers each, row-major, row i
// of a restoring row i of b):
//
//	PSNR_i = 10·log10(peak² / mean_j (a_ij − b_ij)²)  dB,
//
// peak the range of the values (2 for pixels in [−1, 1]), capped at
// MaxPSNR. Higher is closer; 6 dB halves the root-mean-square error.
func MeanPSNR(a, b []float64, d int, peak float64) (float64, error) {
	if d < 1 || len(a) != len(b) || len(a) == 0 || len(a)%d != 0 {
		return 0, fmt.Errorf("metrics: PSNR of %d and %d numbers in rows of %d", len(a), len(b), d)
	}
	n := len(a) / d
	sum := 0.0
	for i := range n {
		mse := 0.0
		for j := i * d; j < (i+1)*d; j++ {
			e := a[j] - b[j]
			mse += e * e
		}
		mse /= float64(d)
		sum += math.Min(MaxPSNR, 10*math.Log10(peak*peak/mse))
	}
	return sum / float64(n), nil
}

// Change returns the mean and the largest absolute difference between a
// and b (rows of len(mask) numbers) over the coordinates where mask is
// true: how much a restoration moved the values it was to keep.
func Change(a, b []float64, mask []bool) (mean, largest float64, err error) {
	d := len(mask)
	if d == 0 || len(a) != len(b) || len(a)%d != 0 {
		return 0, 0, fmt.Errorf("metrics: change of %d and %d numbers in rows of %d", len(a), len(b), d)
	}
	n := 0
	for i := range a {
		if mask[i%d] {
			e := math.Abs(a[i] - b[i])
			mean += e
			largest = math.Max(largest, e)
			n++
		}
	}
	if n > 0 {
		mean /= float64(n)
	}
	return mean, largest, nil
}

// Spread measures the diversity of several restorations of one input: x
// holds groups of m consecutive rows of d numbers, each group m draws for
// one input. It returns the standard deviation across a group's rows,
// per coordinate (with m − 1 in the denominator), averaged over the
// coordinates and the groups: 0 when every draw is the same.
func Spread(x []float64, m, d int) (float64, error) {
	if m < 2 || d < 1 || len(x) == 0 || len(x)%(m*d) != 0 {
		return 0, fmt.Errorf("metrics: spread of %d numbers in groups of %d rows of %d (need m ≥ 2)", len(x), m, d)
	}
	groups := len(x) / (m * d)
	sum := 0.0
	for g := range groups {
		base := x[g*m*d : (g+1)*m*d]
		for j := range d {
			mean := 0.0
			for r := range m {
				mean += base[r*d+j]
			}
			mean /= float64(m)
			v := 0.0
			for r := range m {
				e := base[r*d+j] - mean
				v += e * e
			}
			sum += math.Sqrt(v / float64(m-1))
		}
	}
	return sum / float64(groups*d), nil
}
