package nn

import (
	"math"
	"sync"
)

// Adam is the Adam optimizer over one parameter vector.
type Adam[T Float] struct {
	Beta1, Beta2, Eps float64
	M, V              []T
	Step              int

	job *adamJob[T] // the arguments of the parallel update, made once
}

// NewAdam returns Adam with β1 = 0.9, β2 = 0.999, ε = 1e-8 for n parameters.
func NewAdam[T Float](n int) *Adam[T] {
	return &Adam[T]{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, M: make([]T, n), V: make([]T, n)}
}

// Update takes one step params -= lr · m̂/(√v̂ + ε) with the gradient grad.
//
// With t = Step after the increment and g = grad:
//
//	m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²,
//	m̂ = m/(1−β1^t),  v̂ = v/(1−β2^t),
//
// the update of PyTorch's torch.optim.Adam (without weight decay), up to
// rounding. The bias corrections are folded into two scalars per step, so
// the loop over the parameters does two multiply-adds, a square root and a
// division each, in T's own precision (eight float32 or four float64 lanes
// at a time with AVX2), split across the cores for large vectors. An Adam is used by one
// goroutine at a time. M and V left nil (a decoded checkpoint without
// optimizer state, say) are allocated as zeros on the first Update; other
// length mismatches are programmer errors and panic.
func (a *Adam[T]) Update(params, grad []T, lr float64) { a.UpdateEMA(params, grad, lr, nil, 0) }

// UpdateEMA is Update followed by ema ← ema + (1−β)(params − ema) (an
// exponential moving average of the parameters; nothing when ema is nil),
// in one pass: each block of the parameters is averaged right after its
// update, while it is still in cache. A large network's parameters, its
// gradient and Adam's state do not fit in the caches, and the separate
// pass that read the parameters again cost as much as the update itself.
// The results are those of the two passes, bit for bit.
func (a *Adam[T]) UpdateEMA(params, grad []T, lr float64, ema []T, beta float64) {
	if len(grad) != len(params) || (ema != nil && len(ema) != len(params)) {
		panic("nn: Adam: len(grad) != len(params)")
	}
	if a.M == nil && a.V == nil {
		a.M, a.V = make([]T, len(params)), make([]T, len(params))
	}
	if len(a.M) != len(params) || len(a.V) != len(params) {
		panic("nn: Adam: state length does not match params")
	}
	a.Step++
	t := float64(a.Step)
	// params −= lr/(1−β1^t) · m / (√v/√(1−β2^t) + ε)
	//         = s·m/(√v + ε') with s = lr·√(1−β2^t)/(1−β1^t), ε' = ε·√(1−β2^t),
	// one multiplication per element fewer.
	bc2 := math.Sqrt(1 - math.Pow(a.Beta2, t))
	if a.job == nil {
		a.job = &adamJob[T]{run: adamRange[T]}
	}
	j := a.job
	j.step = T(lr * bc2 / (1 - math.Pow(a.Beta1, t)))
	j.eps = T(a.Eps * bc2)
	j.b1, j.b2 = T(a.Beta1), T(a.Beta2)
	j.c1, j.c2 = T(1-a.Beta1), T(1-a.Beta2)
	j.p, j.g, j.m, j.v, j.ema, j.emaC = params, grad, a.M, a.V, ema, T(1-beta)
	parallelFor(len(params), grain, j.run, j, &j.wg)
	j.p, j.g, j.m, j.v, j.ema = nil, nil, nil, nil, nil
}

// adamJob is the context of a parallel Adam update.
type adamJob[T Float] struct {
	p, g, m, v, ema           []T
	b1, b2, c1, c2, step, eps T
	emaC                      T // 1 − β of the EMA
	wg                        sync.WaitGroup
	run                       rangeFunc
}

// adamRange updates the parameters [lo, hi). Each element costs two
// multiply-adds, a square root and a division, in T's precision: the
// square root and the division bound the speed, not memory.
func adamRange[T Float](ctx any, lo, hi int) {
	j := ctx.(*adamJob[T])
	if j.ema == nil {
		adamBlock(j, lo, hi)
		return
	}
	const block = 4096 // numbers updated, then averaged while in L1
	c := j.emaC
	for b := lo; b < hi; b += block {
		e := min(b+block, hi)
		adamBlock(j, b, e)
		ema, p := j.ema[b:e], j.p[b:e]
		if n8 := len(p) &^ 7; is32[T]() && haveAVX2 && n8 > 0 {
			// A scalar loop here cost as much as the Adam kernel.
			ema32AVX2(&as32(ema)[0], &as32(p)[0], n8, float32(c))
			ema, p = ema[n8:], p[n8:]
		}
		for i, v := range p {
			ema[i] += T(c * (v - ema[i])) // rounded before the addition, as the kernel
		}
	}
}

// adamBlock is Adam's update of the parameters [lo, hi).
func adamBlock[T Float](j *adamJob[T], lo, hi int) {
	p, g, m, v := j.p[lo:hi], j.g[lo:hi], j.m[lo:hi], j.v[lo:hi]
	b1, b2, c1, c2, step, eps := j.b1, j.b2, j.c1, j.c2, j.step, j.eps
	if n8 := len(p) &^ 7; is32[T]() && haveAVX2 && n8 > 0 {
		adam32AVX2(&as32(p)[0], &as32(g)[0], &as32(m)[0], &as32(v)[0], n8,
			float32(b1), float32(b2), float32(c1), float32(c2), float32(step), float32(eps))
		p, g, m, v = p[n8:], g[n8:], m[n8:], v[n8:]
	}
	if n4 := len(p) &^ 3; !is32[T]() && haveAVX2 && n4 > 0 {
		adam64AVX2(&as64(p)[0], &as64(g)[0], &as64(m)[0], &as64(v)[0], n4,
			float64(b1), float64(b2), float64(c1), float64(c2), float64(step), float64(eps))
		p, g, m, v = p[n4:], g[n4:], m[n4:], v[n4:]
	}
	for i := range p {
		gi := g[i]
		mi := b1*m[i] + c1*gi
		vi := b2*v[i] + c2*gi*gi
		m[i], v[i] = mi, vi
		p[i] -= step * mi / (T(math.Sqrt(float64(vi))) + eps)
	}
}
