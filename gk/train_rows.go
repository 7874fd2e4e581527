package gk

import "sync"

// rowBlock is the number of rows in one block of the trainer's per-row
// passes (lossGrad). The blocks are fixed by the batch size alone, so the
// loss, summed per block and then over the blocks in order, is the same
// for any number of cores.
const rowBlock = 16

// rowWork is about the fewest numbers worth handing to another core (the
// pool's hand-off costs a few microseconds).
const rowWork = 1 << 16

// rowJob is the context of lossGrad's passes over the blocks of rows, run
// by nn.ParallelFor.
type rowJob struct {
	t             *Trainer
	heads         Heads
	in, out, dOut []float64 // the engine's buffers of this step
	out32, dOut32 []float32 // instead of out, dOut: a float32 MLP's own
	loss          []float64 // loss sum of each block
	grain         int       // blocks per part at least
	// g, dg (K+1 rows of d) and resid (d) per block: scratch of the loss
	// through projected heads (nil otherwise).
	g, dg            [][][]float64
	resid            [][]float64
	pch              [][]float64 // with Precondition: the heads of one row, per block
	wg               sync.WaitGroup
	interp, lossGrad func(ctx any, lo, hi int)
}

func newRowJob(t *Trainer, projected bool) *rowJob {
	kk, d, b := t.model.cfg.Marginals, t.model.cfg.Dim, t.set.Batch
	nb := (b + rowBlock - 1) / rowBlock
	j := &rowJob{t: t, loss: make([]float64, nb), grain: max(1, rowWork/(rowBlock*kk*d)),
		interp: interpBlocks, lossGrad: lossBlocks}
	if projected {
		j.g, j.dg, j.resid = make([][][]float64, nb), make([][][]float64, nb), make([][]float64, nb)
		for q := range nb {
			j.g[q], j.dg[q], j.resid[q] = newRows(kk, d), newRows(kk, d), make([]float64, d)
		}
	}
	if pc := t.model.pc; pc != nil {
		j.pch = make([][]float64, nb)
		for q := range nb {
			j.pch[q] = pc.buffer(1)
		}
	}
	return j
}

func newRows(n, d int) [][]float64 {
	r := make([][]float64, n)
	for i := range r {
		r[i] = make([]float64, d)
	}
	return r
}

// blockRange returns the rows [r0, r1) of block q.
func (j *rowJob) blockRange(q int) (int, int) {
	return q * rowBlock, min((q+1)*rowBlock, j.t.set.Batch)
}

// interpBlocks writes the network inputs of the blocks [lo, hi).
func interpBlocks(ctx any, lo, hi int) {
	j := ctx.(*rowJob)
	for q := lo; q < hi; q++ {
		r0, r1 := j.blockRange(q)
		j.t.interpolate(j.in, r0, r1)
	}
}

// lossBlocks writes the loss sum of each block in [lo, hi) and the
// gradient of its rows with respect to the raw heads.
func lossBlocks(ctx any, lo, hi int) {
	j := ctx.(*rowJob)
	t := j.t
	kk, d := t.model.cfg.Marginals, t.model.cfg.Dim
	f := t.model.feat.dim()
	w := t.model.featDim() + d
	for q := lo; q < hi; q++ {
		var g, dg [][]float64
		var resid []float64
		if j.g != nil {
			g, dg, resid = j.g[q], j.dg[q], j.resid[q]
		}
		r0, r1 := j.blockRange(q)
		loss := 0.0
		if j.out32 != nil {
			scale := 2 / float64(t.set.Batch*d)
			for i := r0; i < r1; i++ {
				w := t.weights(t.alphas[i*kk : (i+1)*kk])
				loss = rowLossDirect(loss, t.model.box, t.xs, i, scale, j.out32[i*kk*d:(i+1)*kk*d], j.dOut32[i*kk*d:(i+1)*kk*d], w)
			}
			j.loss[q] = loss
			continue
		}
		for i := r0; i < r1; i++ {
			a := t.alphas[i*kk : (i+1)*kk]
			xi := j.in[i*w+f : i*w+f+d]
			h, dh := j.out[i*kk*d:(i+1)*kk*d], j.dOut[i*kk*d:(i+1)*kk*d]
			if pc := t.model.pc; pc != nil { // the heads m_k + s_k n_k, at x
				xi, h = t.pcx[i*d:(i+1)*d], pc.heads(j.pch[q], h)
			}
			loss = t.rowLossGrad(loss, i, j.heads, a, xi, h, dh, g, dg, resid)
			t.model.pc.outputGrad(dh)
		}
		j.loss[q] = loss
	}
}
