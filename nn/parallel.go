package nn

import (
	"runtime"
	"sync"
)

// The elementwise passes of a step (bias + activation, act', Adam) are
// bound by arithmetic (a division and a square root per element), not by
// memory, so they speed up with the cores that BLAS uses for the matrix
// products. They run on a small pool of goroutines shared by the package,
// started on first use and living as long as the process: GOMAXPROCS − 1
// workers, the caller being the last one.
//
// Handing work to the pool allocates nothing: a task is a value sent on a
// channel, its function is a plain function value made once (in
// NewWorkspace or the first Adam.Update), its context a pointer already on
// the heap, and its WaitGroup lives in that context.

// rangeFunc processes the elements (or rows) [lo, hi) of the job ctx.
type rangeFunc func(ctx any, lo, hi int)

type task struct {
	run    rangeFunc
	ctx    any
	lo, hi int
	wg     *sync.WaitGroup
}

var pool struct {
	once    sync.Once
	workers int
	tasks   chan task
}

func startPool() {
	pool.workers = runtime.GOMAXPROCS(0) - 1
	pool.tasks = make(chan task, 4*pool.workers+1)
	for range pool.workers {
		go func() {
			for t := range pool.tasks {
				t.run(t.ctx, t.lo, t.hi)
				t.wg.Done()
			}
		}()
	}
}

// parallelFor runs run(ctx, lo, hi) over a partition of [0, n) into at
// most GOMAXPROCS contiguous parts of at least grain items each (fewer
// items run on the caller alone), and returns when every part is done.
func parallelFor(n, grain int, run rangeFunc, ctx any, wg *sync.WaitGroup) {
	pool.once.Do(startPool)
	parts := min(pool.workers+1, n/max(grain, 1))
	if parts <= 1 {
		run(ctx, 0, n)
		return
	}
	wg.Add(parts - 1)
	for p := 1; p < parts; p++ {
		pool.tasks <- task{run, ctx, p * n / parts, (p + 1) * n / parts, wg}
	}
	run(ctx, 0, n/parts)
	wg.Wait()
}

// ParallelFor runs run(ctx, lo, hi) over a partition of [0, n) into at
// most GOMAXPROCS contiguous parts of at least grain items each (fewer
// items run on the caller alone) on the pool of goroutines that the
// network's own passes use, and returns when every part is done. It
// allocates nothing when run is a function value made once and ctx a
// pointer (with wg in it), so a training step can spread its own per-row
// work over the cores as the network does. The partition depends on
// GOMAXPROCS: a result that must not depend on the number of cores is
// computed per fixed item (say a block of rows) and combined in item
// order. run must not itself call ParallelFor or the network's passes
// (the pool's workers would wait on each other).
func ParallelFor(n, grain int, run func(ctx any, lo, hi int), ctx any, wg *sync.WaitGroup) {
	parallelFor(n, grain, run, ctx, wg)
}
