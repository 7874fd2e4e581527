package nn

// MSE returns the mean squared error L = (1/N) Σ_i (out_i − target_i)²
// over the N = len(out) numbers of a batch, and writes its gradient
// ∂L/∂out_i = 2(out_i − target_i)/N into dOut (which may be out itself).
// The sum is accumulated in float64. Mismatched lengths panic.
func MSE[T Float](dOut, out, target []T) float64 {
	if len(out) != len(target) || len(dOut) != len(out) {
		panic("nn: MSE: mismatched lengths")
	}
	if len(out) == 0 {
		return 0
	}
	scale := T(2 / float64(len(out)))
	// Four partial sums: one float64 accumulator would chain every
	// addition on the previous one's latency.
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(out); i += 4 {
		e0, e1, e2, e3 := out[i]-target[i], out[i+1]-target[i+1], out[i+2]-target[i+2], out[i+3]-target[i+3]
		s0 += float64(e0) * float64(e0)
		s1 += float64(e1) * float64(e1)
		s2 += float64(e2) * float64(e2)
		s3 += float64(e3) * float64(e3)
		dOut[i], dOut[i+1], dOut[i+2], dOut[i+3] = scale*e0, scale*e1, scale*e2, scale*e3
	}
	for ; i < len(out); i++ {
		e := out[i] - target[i]
		s0 += float64(e) * float64(e)
		dOut[i] = scale * e
	}
	return (s0 + s1 + s2 + s3) / float64(len(out))
}
