package gk

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAlphaEdgesEveryEdge counts the draws of alphaEdges per edge of Δ^K
// (K = 3, 4): with dataShare s each of the K(K−1)/2 data–data edges gets
// s/(K(K−1)/2) and each of the K Gaussian–data edges (1−s)/K, and with
// s = 0 every edge the same share. Each count must be within 5 standard
// deviations of its binomial expectation (a 1e-6 false alarm), so an
// edge never drawn (e_0–e_K, the edge mmi path --from 0 --to K follows)
// or drawn at half its rate fails; the two weights of a draw must sit on
// one edge and sum to 1.
func TestAlphaEdgesEveryEdge(t *testing.T) {
	const draws = 60000
	for _, n := range []int{4, 5} {
		for _, c := range []struct{ beta, share float64 }{{1, 0}, {0.5, 0}, {1, 0.5}, {0.5, 0.3}} {
			e, err := newAlphaEdges(c.beta, c.share)
			if err != nil {
				t.Fatal(err)
			}
			r := rand.New(rand.NewPCG(7, uint64(n)))
			count := map[[2]int]int{}
			a := make([]float64, n)
			for range draws {
				e.Sample(a, r)
				var on []int
				sum := 0.0
				for k, v := range a {
					if v != 0 {
						on = append(on, k)
					}
					sum += v
				}
				if len(on) > 2 || math.Abs(sum-1) > 1e-12 {
					t.Fatalf("draw %v is not on an edge", a)
				}
				if len(on) == 2 {
					count[[2]int{on[0], on[1]}]++
				}
			}
			k := n - 1
			dataEdges := k * (k - 1) / 2
			for i := 0; i < n; i++ {
				for j := i + 1; j < n; j++ {
					p := 1.0 / float64(n*(n-1)/2)
					if c.share > 0 {
						p = (1 - c.share) / float64(k)
						if i > 0 {
							p = c.share / float64(dataEdges)
						}
					}
					mean := p * draws
					sd := math.Sqrt(draws * p * (1 - p))
					if got := float64(count[[2]int{i, j}]); math.Abs(got-mean) > 5*sd {
						t.Errorf("K=%d beta %g share %g: edge e_%d–e_%d drawn %v times, want %.0f ± %.0f", k, c.beta, c.share, i, j, got, mean, 5*sd)
					}
				}
			}
		}
	}
}
