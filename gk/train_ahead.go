package gk

import (
	"math/rand/v2"
	"runtime"
)

// ahead is the batch of the next step, drawn by a goroutine of its own
// while the current step computes. Drawing a batch (α per row, the
// coupling, Gaussian x_0) is serial work, about a tenth of a step of the
// image MLP on one core; drawn alongside the step's products, it fills
// the gaps the passes leave on the other core. The draw uses the trainer's
// generator in the same order as drawing at the start of each step, so
// the batches, and the weights, are the same with or without it. The
// generator's state before the draw is kept: checkpoints save it
// (rngState), so a resumed run draws that batch again, and settle puts it
// back (dropping the batch) when a step is not taken.
type ahead struct {
	off    bool     // never draw ahead (tests compare with it)
	on     bool     // a batch for step is being drawn or is ready
	step   int      // the step it is for
	before rand.PCG // the generator's state before the draw
	alphas []float64
	xs     [][]float64
	req    chan *Trainer // to the drawing goroutine
	done   chan struct{} // from it, when a draw is done (buffered)
}

// drawAhead starts drawing the batch of step t.step+1.
func (t *Trainer) drawAhead() {
	a := &t.ahead
	if a.req == nil {
		kk, d, b := t.model.cfg.Marginals, t.model.cfg.Dim, t.set.Batch
		a.alphas, a.xs = make([]float64, b*kk), newRows(kk, b*d)
		a.req, a.done = make(chan *Trainer), make(chan struct{}, 1)
		go drawLoop(a.req, a.done)
		// The goroutine holds the trainer only while it draws; it ends
		// when the trainer is collected.
		runtime.AddCleanup(t, func(req chan *Trainer) { close(req) }, a.req)
	}
	a.before = *t.pcg
	a.step, a.on = t.step+1, true
	a.req <- t
}

// drawLoop draws the batches asked for on req.
func drawLoop(req <-chan *Trainer, done chan<- struct{}) {
	for t := range req {
		t.drawInto(t.ahead.step, t.ahead.alphas, t.ahead.xs)
		done <- struct{}{}
	}
}

// takeBatch puts the batch of the current step into t.alphas and t.xs:
// the one drawn ahead during the previous step, or a fresh draw.
func (t *Trainer) takeBatch() {
	a := &t.ahead
	if a.on && a.step == t.step {
		<-a.done
		a.on = false
		t.alphas, a.alphas = a.alphas, t.alphas
		t.xs, a.xs = a.xs, t.xs
		return
	}
	t.settle()
	t.drawBatch()
}

// settle waits for a draw ahead, drops its batch and puts the generator
// back as it was before it.
func (t *Trainer) settle() {
	a := &t.ahead
	if !a.on {
		return
	}
	<-a.done
	a.on = false
	*t.pcg = a.before
}

// rngState returns the generator as the draw of the batch of step t.step
// must find it: its state before the draw ahead, if one was started.
func (t *Trainer) rngState() *rand.PCG {
	if t.ahead.on {
		return &t.ahead.before
	}
	return t.pcg
}
