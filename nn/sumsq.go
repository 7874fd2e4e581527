package nn

import "sync"

// SumSquares computes Σ x_i² in float64 over a long vector (a gradient, to
// clip it by its norm) on every core, with a result that does not depend
// on the number of cores: the vector is cut into fixed blocks of
// sumSqBlock numbers, each summed with four running partial sums (one
// running sum would be bound by the latency of its additions), and the
// blocks' sums are added in order. It is made once for vectors of up to n
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
