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
	scale := 2 / float64(len(out))
	var sum float64
	for i, o := range out {
		e := o - target[i]
		sum += float64(e) * float64(e)
		dOut[i] = T(scale) * e
	}
	return sum / float64(len(out))
}
