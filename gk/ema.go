package gk

import "math"

// emaDecay returns the decay used at 0-based step t for a nominal decay β:
//
//	β_t = min(β, (1 + t)/(10 + t)) ,
//
// the warm-up of TensorFlow's ExponentialMovingAverage(num_updates). A
// plain β = 0.999 would keep ~e^{-t/1000} of the random initial weights
// after t steps, which for a training run of a few thousand steps is still
// visible; the warm-up makes the average forget the start quickly.
func emaDecay(beta float64, t int) float64 {
	return math.Min(beta, (1+float64(t))/(10+float64(t)))
}

// The update itself, ema ← β ema + (1−β) live computed as
// ema += (1−β)(live − ema) (so that ema reaches live exactly when β = 0),
// runs inside Adam's pass over the parameters: nn.Adam.UpdateEMA.
