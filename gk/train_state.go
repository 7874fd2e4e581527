package gk

import (
	"math"
	"sync"

	"github.com/mmi-go/mmi/nn"
)

// optimizer is the training state of one float width: the live network,
// its exponential moving average (the Model's network), the gradient
// buffer and Adam.
type optimizer interface {
	grad() any
	// gradNorm returns the Euclidean norm of the gradient (accumulated in
	// float64).
	gradNorm() float64
	scaleGrad(c float64)
	// update takes one Adam step with learning rate lr and then moves the
	// EMA towards the new weights with decay beta.
	update(lr, beta float64)
	adam() (m, v any, step int)
	setAdamStep(step int)
}

type optState[T nn.Float] struct {
	live, ema []T // parameter vectors
	g         []T
	gAny      any // g boxed once: converting a slice to any allocates
	opt       *nn.Adam[T]
	sumSq     *nn.SumSquares[T]
	scale     *scaleJob[T]
}

// scaleJob multiplies the gradient by a constant on every core (clipping:
// a serial pass over a large network's gradient cost as much as the other
// passes over it together).
type scaleJob[T nn.Float] struct {
	g   []T
	c   T
	wg  sync.WaitGroup
	run func(ctx any, lo, hi int)
}

func scaleRange[T nn.Float](ctx any, lo, hi int) {
	j := ctx.(*scaleJob[T])
	for i := range j.g[lo:hi] {
		j.g[lo+i] *= j.c
	}
}

func newOptState[T nn.Float](live, ema []T) *optState[T] {
	n := len(live)
	g := make([]T, n)
	return &optState[T]{live: live, ema: ema, g: g, gAny: g, opt: nn.NewAdam[T](n), sumSq: nn.NewSumSquares[T](n),
		scale: &scaleJob[T]{run: scaleRange[T]}}
}

func (o *optState[T]) grad() any { return o.gAny }

func (o *optState[T]) gradNorm() float64 {
	ss := o.sumSq.Of(o.g) // blocks on every core, the same bits on any number of them
	if !math.IsInf(ss, 1) {
		return math.Sqrt(ss) // NaN stays NaN
	}
	// Overflow of the plain sum: rescale as BLAS nrm2 does, so a huge but
	// finite gradient is clipped rather than reported as non-finite.
	scale, ssq := 0.0, 1.0
	for _, v := range o.g {
		a := math.Abs(float64(v))
		if a == 0 {
			continue
		}
		if math.IsInf(a, 0) {
			return a
		}
		if scale < a {
			ssq = 1 + ssq*(scale/a)*(scale/a)
			scale = a
		} else {
			ssq += (a / scale) * (a / scale)
		}
	}
	return scale * math.Sqrt(ssq)
}

func (o *optState[T]) scaleGrad(c float64) {
	j := o.scale
	j.g, j.c = o.g, T(c)
	nn.ParallelFor(len(j.g), 1<<15, j.run, j, &j.wg)
	j.g = nil
}

func (o *optState[T]) update(lr, beta float64) {
	o.opt.UpdateEMA(o.live, o.g, lr, o.ema, beta) // = Update, then emaUpdate
}

func (o *optState[T]) adam() (m, v any, step int) { return o.opt.M, o.opt.V, o.opt.Step }
func (o *optState[T]) setAdamStep(step int)       { o.opt.Step = step }

// newOptimizer pairs the live engine with the model's (EMA) engine.
func newOptimizer(live, ema engine) optimizer {
	switch l := live.params().(type) {
	case []float32:
		return newOptState(l, ema.params().([]float32))
	case []float64:
		return newOptState(l, ema.params().([]float64))
	}
	panic("gk: unknown engine type")
}
