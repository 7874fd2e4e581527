package metrics

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// CompareMaxPoints is the largest number of rows per set that Compare gives
// to Energy and MMD; larger sets are subsampled without replacement, which
// keeps `mmi eval` to seconds (the statistics' standard errors scale as
// 1/√n, so 3000 points resolve differences of about 1% of their scale).
const CompareMaxPoints = 3000

// Report holds the distances Compare computes; its JSON form is what
// `mmi eval --json` prints.
type Report struct {
	Energy   float64 `json:"energy"`    // energy distance, unbiased; see Energy
	MMD      float64 `json:"mmd"`       // squared MMD, unbiased, default bandwidths; see MMD
	SlicedW2 float64 `json:"sliced_w2"` // sliced W2 with DefaultProjections directions; see SlicedW2
}

// Compare returns the energy distance, the squared MMD with the default
// bandwidths and the sliced W2 (DefaultProjections directions, all points)
// between the rows of a and b. Sets of more than CompareMaxPoints rows are
// subsampled for Energy and MMD with r; the same r draws the directions, so
// a seed reproduces the report.
//
// Unlike the functions it calls it checks its input, which comes from
// user files: it returns an error if d is not positive, a length is not a
// multiple of d, a set has fewer than 2 rows, or a number is NaN or
// infinite.
func Compare(a, b []float64, d int, r *rand.Rand) (Report, error) {
	if d <= 0 {
		return Report{}, fmt.Errorf("metrics: dimension %d", d)
	}
	for _, s := range []struct {
		name string
		x    []float64
	}{{"a", a}, {"b", b}} {
		if len(s.x)%d != 0 {
			return Report{}, fmt.Errorf("metrics: set %s has %d numbers, not a multiple of dimension %d", s.name, len(s.x), d)
		}
		if len(s.x)/d < 2 {
			return Report{}, fmt.Errorf("metrics: set %s has %d rows, need at least 2", s.name, len(s.x)/d)
		}
		if !allFinite(s.x) {
			return Report{}, fmt.Errorf("metrics: set %s has NaN or infinite values", s.name)
		}
	}
	if r == nil {
		return Report{}, errors.New("metrics: nil random source")
	}
	sa := Subsample(a, d, CompareMaxPoints, r)
	sb := Subsample(b, d, CompareMaxPoints, r)
	energy, mmd := energyMMD(sa, sb, d, DefaultBandwidths(sa, sb, d))
	rep := Report{
		Energy:   energy,
		MMD:      mmd,
		SlicedW2: SlicedW2(a, b, d, DefaultProjections, r),
	}
	for _, v := range []float64{rep.Energy, rep.MMD, rep.SlicedW2} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			// Finite values near 1e308: their squared distances
			// overflow, and Inf − Inf is NaN.
			return Report{}, fmt.Errorf("metrics: the values are too large (largest |x| %g): their squared distances overflow float64; rescale the sets", maxAbs(a, b))
		}
	}
	return rep, nil
}

// energyMMD returns Energy(a, b, d) and MMD(a, b, d, bandwidths) from one
// pass over the pairwise distances (the expensive part in high dimension),
// with the same summation order, so the values are bit-for-bit those of
// the two functions.
func energyMMD(a, b []float64, d int, bandwidths []float64) (energy, mmd float64) {
	coef := kernelCoefs(bandwidths)
	dxy, kxy := meanDistKernel(a, b, d, false, coef)
	dxx, kxx := meanDistKernel(a, a, d, true, coef)
	dyy, kyy := meanDistKernel(b, b, d, true, coef)
	return 2*dxy - dxx - dyy, kxx + kyy - 2*kxy
}

// meanDistKernel is meanDist and meanKernel in one pass.
func meanDistKernel(a, b []float64, d int, self bool, coef []float64) (dist, kern float64) {
	forEachSqDist(a, b, d, self, func(_, _ int, row []float64) {
		sd := 0.0
		for _, v := range row {
			sd += math.Sqrt(v)
		}
		sk := 0.0
		for _, v := range row {
			for _, c := range coef {
				sk += math.Exp(c * v)
			}
		}
		dist += sd
		kern += sk
	})
	n, m := len(a)/d, len(b)/d
	pairs := float64(n) * float64(m)
	if self {
		pairs = float64(n) * float64(n-1) / 2
	}
	return dist / pairs, kern / (pairs * float64(len(coef)))
}

// Subsample returns k rows of x (n×d) drawn uniformly without replacement,
// in their original order, or x itself when n ≤ k. It panics if len(x) is
// not a multiple of d or k is negative.
func Subsample(x []float64, d, k int, r *rand.Rand) []float64 {
	n := rows(x, d, "x")
	if k < 0 {
		panic(fmt.Sprintf("metrics: subsample of %d rows", k))
	}
	if n <= k {
		return x
	}
	// Selection sampling (Knuth's algorithm S): row i is kept with
	// probability (still needed)/(still available), in one ordered pass.
	out := make([]float64, 0, k*d)
	need := k
	for i := 0; i < n && need > 0; i++ {
		if r.IntN(n-i) < need {
			out = append(out, x[i*d:(i+1)*d]...)
			need--
		}
	}
	return out
}

// maxAbs returns the largest |v| of the values of a and b.
func maxAbs(a, b []float64) float64 {
	m := 0.0
	for _, x := range [][]float64{a, b} {
		for _, v := range x {
			m = math.Max(m, math.Abs(v))
		}
	}
	return m
}
