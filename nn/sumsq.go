package nn

import "sync"

// SumSquares computes Σ x_i² in float64 over a long vector (a gradient, to
// clip it by its norm) on every core, with a result that does not depend
// on the number of cores: the vector is cut into fixed blocks of
// sumSqBlock numbers, each summed with several running partial sums (one
// running sum would be bound by the latency of its additions: four for
// float64, sixteen for float32, see sumSq32), and the blocks' sums are
// added in order. It is made once for vectors of up to n
// numbers and used by one goroutine at a time; it allocates nothing.
type SumSquares[T Float] struct {
	parts []float64
	x     []T
	wg    sync.WaitGroup
	run   rangeFunc
}

// sumSqBlock is the length of a block of SumSquares.
const sumSqBlock = 1 << 15

// NewSumSquares returns a SumSquares for vectors of up to n numbers.
func NewSumSquares[T Float](n int) *SumSquares[T] {
	return &SumSquares[T]{parts: make([]float64, (n+sumSqBlock-1)/sumSqBlock), run: sumSqJob[T]}
}

// Of returns Σ x_i².
func (s *SumSquares[T]) Of(x []T) float64 {
	nb := (len(x) + sumSqBlock - 1) / sumSqBlock
	if nb > len(s.parts) {
		panic("nn: SumSquares made for shorter vectors")
	}
	s.x = x
	parallelFor(nb, max(1, grain/sumSqBlock), s.run, s, &s.wg)
	s.x = nil
	t := 0.0
	for _, v := range s.parts[:nb] {
		t += v
	}
	return t
}

func sumSqJob[T Float](ctx any, lo, hi int) {
	s := ctx.(*SumSquares[T])
	for b := lo; b < hi; b++ {
		g := s.x[b*sumSqBlock : min((b+1)*sumSqBlock, len(s.x))]
		if is32[T]() {
			s.parts[b] = sumSq32(as32(g))
			continue
		}
		var s0, s1, s2, s3 float64
		i := 0
		for ; i+4 <= len(g); i += 4 {
			v0, v1, v2, v3 := float64(g[i]), float64(g[i+1]), float64(g[i+2]), float64(g[i+3])
			s0 += v0 * v0
			s1 += v1 * v1
			s2 += v2 * v2
			s3 += v3 * v3
		}
		for ; i < len(g); i++ {
			s0 += float64(g[i]) * float64(g[i])
		}
		s.parts[b] = (s0 + s1) + (s2 + s3)
	}
}

// sumSq32 returns Σ float64(x_i)² of a float32 block with sixteen running
// partial sums (entry i goes to sum i mod 16; four AVX2 registers of four
// float64 lanes), added at the end pairwise in a fixed order: the same
// bits with or without the assembly. The float64 squares of float32
// numbers are exact, so only the additions round. Four scalar sums were
// bound by the latency of their additions (a gradient of a few million
// numbers took about a tenth of the image MLP's non-product work).
func sumSq32(x []float32) float64 {
	var acc [16]float64
	n16 := len(x) &^ 15
	if haveAVX2 && n16 > 0 {
		sumSq32AVX2(&x[0], n16, &acc)
	} else {
		sumSq32Go(x[:n16], &acc)
	}
	for i, v := range x[n16:] {
		acc[i] += float64(v) * float64(v)
	}
	for w := 8; w >= 1; w /= 2 {
		for l := range w {
			acc[l] += acc[l+w]
		}
	}
	return acc[0]
}

// sumSq32Go is sumSq32AVX2 in Go.
func sumSq32Go(x []float32, acc *[16]float64) {
	for i := 0; i+16 <= len(x); i += 16 {
		for l, v := range x[i : i+16] {
			acc[l] += float64(float64(v) * float64(v)) // no fused multiply-add
		}
	}
}
