package nn

import "math"

// SoftmaxCrossEntropy returns the mean cross-entropy of a batch of n rows of
// logits z (n × classes, row-major) against the labels y (len n, each in
// 0 … classes−1),
//
//	L = −(1/n) Σ_i log p_i[y_i],   p_i = softmax(z_i),  p_i[c] = e^{z_ic} / Σ_c' e^{z_ic'},
//
// and writes its gradient ∂L/∂z_ic = (p_i[c] − [c = y_i])/n into dOut, which
// may be logits itself. Each row is computed in float64 after subtracting
// its largest logit, so large logits neither overflow nor lose the small
// probabilities. Mismatched lengths or a label out of range are programmer
// errors and panic.
func SoftmaxCrossEntropy[T Float](dOut, logits []T, labels []int, classes int) float64 {
	if classes < 1 {
		panic("nn: SoftmaxCrossEntropy: fewer than one class")
	}
	n := len(labels)
	if len(logits) != n*classes || len(dOut) != len(logits) {
		panic("nn: SoftmaxCrossEntropy: mismatched lengths")
	}
	if n == 0 {
		return 0
	}
	inv := 1 / float64(n)
	loss := 0.0
	for i, y := range labels {
		if y < 0 || y >= classes {
			panic("nn: SoftmaxCrossEntropy: label out of range")
		}
		z := logits[i*classes : (i+1)*classes]
		d := dOut[i*classes : (i+1)*classes]
		top := float64(z[0])
		for _, v := range z[1:] {
			top = math.Max(top, float64(v))
		}
		sum := 0.0
		for _, v := range z {
			sum += math.Exp(float64(v) - top)
		}
		logSum := math.Log(sum)
		loss -= float64(z[y]) - top - logSum
		for c, v := range z {
			p := math.Exp(float64(v) - top - logSum)
			if c == y {
				p--
			}
			d[c] = T(p * inv)
		}
	}
	return loss * inv
}

// Argmax writes into dst, for each of the n rows of x (n × cols), the index
// of its largest entry (the first one on ties): the predicted class of a row
// of logits. dst must hold n entries; it is returned.
func Argmax[T Float](dst []int, x []T, cols int) []int {
	if cols < 1 || len(x)%cols != 0 || len(dst) < len(x)/cols {
		panic("nn: Argmax: mismatched lengths")
	}
	for i := range len(x) / cols {
		row := x[i*cols : (i+1)*cols]
		best := 0
		for c, v := range row {
			if v > row[best] {
				best = c
			}
		}
		dst[i] = best
	}
	return dst[:len(x)/cols]
}
