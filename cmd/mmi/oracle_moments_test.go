package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/mmi-go/mmi/datasets"
)

// momentZ compares the first and second moments of the rows of x (n×2)
// with those of a large exact sample ref: for each of the five statistics
// x₁, x₂, (x₁−μ₁)², (x₂−μ₂)², (x₁−μ₁)(x₂−μ₂) (μ the mean of ref) the
// difference of the two means in units of its standard error (both
// samples' variances), and returns the largest |z|.
func momentZ(x, ref []float64) float64 {
	n, m := len(x)/2, len(ref)/2
	var mu [2]float64
	for i := 0; i < m; i++ {
		mu[0] += ref[2*i] / float64(m)
		mu[1] += ref[2*i+1] / float64(m)
	}
	stats := func(v []float64, i int) [5]float64 {
		a, b := v[2*i], v[2*i+1]
		return [5]float64{a, b, (a - mu[0]) * (a - mu[0]), (b - mu[1]) * (b - mu[1]), (a - mu[0]) * (b - mu[1])}
	}
	meanVar := func(v []float64, rows int) (mean, vr [5]float64) {
		for i := 0; i < rows; i++ {
			s := stats(v, i)
			for k := range s {
				mean[k] += s[k] / float64(rows)
			}
		}
		for i := 0; i < rows; i++ {
			s := stats(v, i)
			for k := range s {
				vr[k] += (s[k] - mean[k]) * (s[k] - mean[k]) / float64(rows-1)
			}
		}
		return
	}
	mx, vx := meanVar(x, n)
	mr, vref := meanVar(ref, m)
	worst := 0.0
	for k := range mx {
		z := (mx[k] - mr[k]) / math.Sqrt(vx[k]/float64(n)+vref[k]/float64(m))
		worst = max(worst, math.Abs(z))
	}
	return worst
}

// TestPathOracleMoments runs mmi path on the exact oracle of
// examples/mix3.json, ODE and SDE, and compares the means and covariance
// of 10000 end samples with those of 200000 exact samples of the target.
//
// The limit, 5 standard errors on each of five statistics, is derived
// from what wrong answers score: the same samples spread 5 % too wide
// about the mean (a target scaled by 1.05, which the earlier fixed energy
// limit of 0.015 at n = 1500 passed up to 20 %) or shifted by 0.08
// standard deviations must fail it, and the test checks that they do for
// every case. A correct run scores below 3 (seeded, so the outcome is
// fixed; at 5σ a correct sampler fails by chance less than once in 10⁵).
func TestPathOracleMoments(t *testing.T) {
	mix, err := datasets.ReadSpec(mix3)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	const n, limit = 10000, 5.0
	for _, tc := range []struct {
		name string
		args []string
		to   int
	}{
		{"noise to 2, dopri5", []string{"--from", "0", "--to", "2"}, 2},
		{"noise to 3, dopri5", []string{"--from", "0", "--to", "3"}, 3},
		{"1 to 3 via 2, rk4", []string{"--from", "1", "--to", "3", "--via", "2", "--solver", "rk4", "--steps", "40"}, 3},
		{"noise to 1, sde euler-maruyama", []string{"--from", "0", "--to", "1", "--sde", "--steps", "200"}, 1},
		{"noise to 2, sde heun", []string{"--from", "0", "--to", "2", "--sde", "--solver", "heun", "--steps", "100"}, 2},
		{"noise to 3, sde eps 3", []string{"--from", "0", "--to", "3", "--sde", "--solver", "heun", "--steps", "100", "--eps", "3"}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, "out.npy")
			args := append([]string{"path", "--model", mix3, "--n", fmt.Sprint(n), "--seed", "11", "--out", out, "--force"}, tc.args...)
			if code, _, stderr := mmi(t, args...); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			x, _ := readRows(t, out)
			ref := make([]float64, 2*200000)
			mix[tc.to-1].Sample(ref, rand.New(rand.NewPCG(uint64(tc.to), 99)))
			z := momentZ(x, ref)
			t.Logf("largest |z| of the moments: %.2f", z)
			if z > limit {
				t.Errorf("moments of the end samples are %.1f standard errors from the exact ones (limit %g)", z, limit)
			}
			// The wrong variants must fail the same limit.
			var mu [2]float64
			for i := 0; i < n; i++ {
				mu[0] += x[2*i] / n
				mu[1] += x[2*i+1] / n
			}
			var sd [2]float64
			for i := 0; i < n; i++ {
				sd[0] += (x[2*i] - mu[0]) * (x[2*i] - mu[0]) / n
				sd[1] += (x[2*i+1] - mu[1]) * (x[2*i+1] - mu[1]) / n
			}
			wide := make([]float64, len(x))
			shift := make([]float64, len(x))
			for i := range x {
				wide[i] = mu[i%2] + 1.05*(x[i]-mu[i%2])
				shift[i] = x[i] + 0.08*math.Sqrt(sd[i%2])
			}
			for name, w := range map[string][]float64{"5 % too wide": wide, "shifted 0.08 sd": shift} {
				if zw := momentZ(w, ref); zw <= limit {
					t.Errorf("wrong variant %s scores %.1f ≤ %g: the check has no power", name, zw, limit)
				}
			}
		})
	}
}
