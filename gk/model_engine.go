package gk

import (
	"math/rand/v2"
	"sync"
	"unsafe"

	"github.com/mmi-go/mmi/nn"
)

// engine is a network of either float width behind float64 inputs and
// outputs: the model and the trainer compute in float64 and the engine
// converts at its boundary (no copy when T is float64).
type engine interface {
	// newScratch returns buffers for batches of up to rows rows; a scratch
	// is used by one goroutine at a time.
	newScratch(rows int) engineScratch
	numParams() int
	// float32 reports whether the parameters are float32.
	float32() bool
	// params returns the parameter vector ([]float32 or []float64).
	params() any
	// clone returns a deep copy (the EMA of the live network).
	clone() engine
}

type engineScratch interface {
	// input returns the n×in float64 input buffer to fill before forward.
	input(n int) []float64
	// forward evaluates the network on the first n rows of the input
	// buffer and returns the n×out outputs as float64 (a view valid until
	// the next call).
	forward(n int) []float64
	// dOut returns the n×out float64 buffer for ∂L/∂out.
	dOut(n int) []float64
	// backward back-propagates the dOut buffer through the last forward:
	// it writes ∂L/∂params into grad (a []T of the engine's width,
	// overwriting what it held) when grad is not nil, and returns ∂L/∂in
	// (n×in, float64) when wantIn is true.
	backward(grad any, wantIn bool) []float64
}

type mlpEngine[T nn.Float] struct{ net *nn.MLP[T] }

func newEngine[T nn.Float](sizes []int, act nn.Activation, r *rand.Rand) *mlpEngine[T] {
	return &mlpEngine[T]{net: nn.NewMLP[T](sizes, act, r)}
}

func (e *mlpEngine[T]) numParams() int { return len(e.net.Params) }
func (e *mlpEngine[T]) float32() bool  { var z T; _, ok := any(z).(float32); return ok }
func (e *mlpEngine[T]) params() any    { return e.net.Params }
func (e *mlpEngine[T]) clone() engine  { return &mlpEngine[T]{net: e.net.Clone()} }

func (e *mlpEngine[T]) newScratch(rows int) engineScratch {
	in, out := e.net.In(), e.net.Out()
	s := &mlpScratch[T]{
		net:    e.net,
		ws:     e.net.NewWorkspace(rows),
		in64:   make([]float64, rows*in),
		dOut64: make([]float64, rows*out),
		dIn64:  make([]float64, rows*in),
		conv:   &convJob[T]{run: convRange[T]},
	}
	if e.float32() {
		s.inT = make([]T, rows*in)
		s.out64 = make([]float64, rows*out)
		s.dOutT = make([]T, rows*out)
		s.dInT = make([]T, rows*in)
	} else {
		// T is float64: the T buffers alias the float64 ones (converting
		// through an interface would allocate on every call).
		s.inT, s.dOutT, s.dInT = asT[T](s.in64), asT[T](s.dOut64), asT[T](s.dIn64)
		s.same = true
	}
	return s
}

type mlpScratch[T nn.Float] struct {
	net *nn.MLP[T]
	ws  *nn.Workspace[T]
	n   int
	// float64 views that callers fill and read.
	in64, out64, dOut64, dIn64 []float64
	// T buffers: copies when T is float32, aliases when T is float64.
	inT, dOutT, dInT []T
	same             bool // T is float64
	conv             *convJob[T]
}

// convJob converts between the float64 rows and the network's float32
// buffers on every core (a batch of 128 image rows has 0.7 M outputs;
// converted by one core, they cost several per cent of a step).
type convJob[T nn.Float] struct {
	x      []float64
	y      []T
	narrow bool // x → y, else y → x
	wg     sync.WaitGroup
	run    func(ctx any, lo, hi int)
}

// convGrain is the fewest numbers a core converts.
const convGrain = 1 << 15

func convRange[T nn.Float](ctx any, lo, hi int) {
	j := ctx.(*convJob[T])
	x, y := j.x[lo:hi], j.y[lo:hi]
	if j.narrow {
		for i, v := range x {
			y[i] = T(v)
		}
		return
	}
	for i, v := range y {
		x[i] = float64(v)
	}
}

// toT writes y = T(x); to64 writes x = float64(y).
func (j *convJob[T]) toT(y []T, x []float64)  { j.do(x, y, true) }
func (j *convJob[T]) to64(x []float64, y []T) { j.do(x, y, false) }

func (j *convJob[T]) do(x []float64, y []T, narrow bool) {
	if len(x) != len(y) {
		panic("gk: conversion between buffers of different lengths")
	}
	j.x, j.y, j.narrow = x, y, narrow
	nn.ParallelFor(len(x), convGrain, j.run, j, &j.wg)
	j.x, j.y = nil, nil
}

// asT reinterprets a []float64 as []T; only called when T is float64.
func asT[T nn.Float](x []float64) []T {
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(x))), len(x))
}

// as64 reinterprets a []T as []float64; only called when T is float64.
func as64[T nn.Float](x []T) []float64 {
	return unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(x))), len(x))
}

func (s *mlpScratch[T]) input(n int) []float64 { return s.in64[:n*s.net.In()] }
func (s *mlpScratch[T]) dOut(n int) []float64  { return s.dOut64[:n*s.net.Out()] }

func (s *mlpScratch[T]) forward(n int) []float64 {
	out := s.forwardT(n)
	if s.same {
		return as64(out)
	}
	o := s.out64[:len(out)]
	s.conv.to64(o, out)
	return o
}

// forwardT is forward without converting the outputs: it returns the
// network's own n×out outputs. The trainer's loss reads float32 outputs
// and writes dOutT (then backwardT) itself, without the two passes through
// float64 buffers.
func (s *mlpScratch[T]) forwardT(n int) []T {
	s.n = n
	inT := s.inT[:n*s.net.In()]
	if !s.same {
		s.conv.toT(inT, s.in64[:len(inT)])
	}
	return s.net.Forward(s.ws, inT, n)
}

// dOutTOf returns the n×out buffer of ∂L/∂out that backwardT reads.
func (s *mlpScratch[T]) dOutTOf(n int) []T { return s.dOutT[:n*s.net.Out()] }

// backwardT writes ∂L/∂params into grad from the dOutTOf buffer.
func (s *mlpScratch[T]) backwardT(grad []T) {
	s.net.BackwardFresh(s.ws, s.dOutT[:s.n*s.net.Out()], grad, nil)
}

func (s *mlpScratch[T]) backward(grad any, wantIn bool) []float64 {
	n := s.n
	var g []T
	if grad != nil {
		g = grad.([]T)
	}
	dOut := s.dOut64[:n*s.net.Out()]
	dIn := s.dIn64[:n*s.net.In()]
	if s.same {
		var di []T
		if wantIn {
			di = s.dInT[:len(dIn)]
		}
		s.net.BackwardFresh(s.ws, s.dOutT[:len(dOut)], g, di)
		if !wantIn {
			return nil
		}
		return dIn
	}
	dOutT := s.dOutT[:len(dOut)]
	s.conv.toT(dOutT, dOut)
	var di []T
	if wantIn {
		di = s.dInT[:len(dIn)]
	}
	s.net.BackwardFresh(s.ws, dOutT, g, di)
	if !wantIn {
		return nil
	}
	s.conv.to64(dIn, di)
	return dIn
}
