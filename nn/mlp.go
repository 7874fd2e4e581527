package nn

import "math/rand/v2"

// Float is the element type of a network.
type Float interface{ ~float32 | ~float64 }

// Activation is the nonlinearity applied after every layer but the last.
type Activation int

const (
	Tanh Activation = iota
	SiLU
)

// MLP is a fully connected network Sizes[0] → … → Sizes[len-1] with Act
// after every hidden layer and a linear output layer.
type MLP[T Float] struct {
	Sizes []int
	Act   Activation
	// Params holds every weight and bias in one vector, so that Adam, EMA
	// and checkpoints treat them alike: for each layer l its weight matrix
	// (Sizes[l] × Sizes[l+1], row-major) followed by its bias (Sizes[l+1]).
	Params []T
}

// NewMLP returns a network with weights drawn from r (scaled for act) and
// zero biases.
func NewMLP[T Float](sizes []int, act Activation, r *rand.Rand) *MLP[T] {
	panic("nn: NewMLP not implemented yet")
}

// Layer returns views into Params of layer l's weights and bias.
func (m *MLP[T]) Layer(l int) (w, b []T) { panic("nn: not implemented yet") }

// Workspace holds the activations and scratch of batches of up to a fixed
// number of rows. A Workspace is used by one goroutine at a time.
type Workspace[T Float] struct{}

// NewWorkspace returns a workspace for batches of up to rows rows.
func (m *MLP[T]) NewWorkspace(rows int) *Workspace[T] { panic("nn: not implemented yet") }

// Forward evaluates the network on n rows of in (n × Sizes[0], row-major)
// and returns the n × Sizes[len-1] outputs, a view into ws valid until the
// next call with ws.
func (m *MLP[T]) Forward(ws *Workspace[T], in []T, n int) []T { panic("nn: not implemented yet") }

// Backward follows a Forward with the same ws. Given dOut = ∂L/∂out
// (n × Sizes[len-1]) it adds ∂L/∂Params into grad when grad is not nil, and
// writes ∂L/∂in (n × Sizes[0]) into dIn when dIn is not nil.
func (m *MLP[T]) Backward(ws *Workspace[T], dOut, grad, dIn []T) { panic("nn: not implemented yet") }

// Adam is the Adam optimizer over one parameter vector.
type Adam[T Float] struct {
	Beta1, Beta2, Eps float64
	M, V              []T
	Step              int
}

// NewAdam returns Adam with β1 = 0.9, β2 = 0.999, ε = 1e-8 for n parameters.
func NewAdam[T Float](n int) *Adam[T] { panic("nn: not implemented yet") }

// Update takes one step params -= lr · m̂/(√v̂ + ε) with the gradient grad.
func (a *Adam[T]) Update(params, grad []T, lr float64) { panic("nn: not implemented yet") }
