// Package nn is the network engine of mmi: a multilayer perceptron on gonum
// BLAS with forward and backward passes (gradients with respect to the
// weights and the inputs) and Adam, allocating nothing per training step.
//
// # Layout
//
// A batch of n samples of dimension d is a flat row-major []T of n·d
// numbers. Layer l holds W_l (Sizes[l] × Sizes[l+1], row-major) and b_l, so
// a batch X goes through it as one matrix product X·W_l (BLAS Gemm, no
// transposes), followed by one fused pass X ← act(X·W_l + b_l). Every
// weight and bias lives in MLP.Params, one vector, so that the optimizer,
// an exponential moving average and checkpoints treat them alike.
//
// Backward runs the chain rule layer by layer with three products per
// layer (∂W += aᵀ·δ, δ ← δ·Wᵀ ⊙ act'(z)) and a Gemv for ∂b; ∂L/∂in costs one
// more product and is computed only when asked for. A batch of one row
// uses Gemv and Ger instead of Gemm.
//
// # Speed
//
// Every buffer lives in a Workspace made once per batch size, so
// Forward, Backward and Adam.Update allocate nothing. The matrix products
// go to whatever gonum's blas32/blas64 use. Importing the package changes
// nothing; the program chooses with one call, UseEnvBLAS (or SelectBLAS),
// and when it has not, the network's first product makes the UseEnvBLAS
// choice: OpenBLAS when it is installed, found and loaded at run time
// without cgo or build tags (package internal/cblas; Debian's libopenblas0),
// and gonum's pure Go otherwise. MMI_BLAS=go|openblas|/path/to/lib.so
// overrides the choice, OPENBLAS_NUM_THREADS sets OpenBLAS's threads
// (default GOMAXPROCS), and BLAS reports what is in use:
//
//	go test ./nn/                 # OpenBLAS if installed
//	MMI_BLAS=go go test ./nn/     # pure Go
//
// The elementwise work of float32 training (the fused bias + tanh and
// Adam) runs in AVX2 assembly on amd64 (the purego tag turns it off, and
// the run-time BLAS loader with it), and large elementwise passes are
// split across GOMAXPROCS goroutines.
//
// # Convolutions and the U-Net
//
// Conv2D is a same-padded convolution on NHWC images (channels fastest):
// the K·K·In inputs around each pixel are gathered into a row (im2col) and
// a chunk of images goes through one Gemm against the (K·K·In) × Out
// weights, so the output lands in NHWC without transposes; the backward
// pass is the transposed product for the weights and, for the inputs, the
// same gathering of the output gradients against the flipped kernel. In
// float32 on amd64 with AVX-512, convolutions with channels in multiples
// of 32 skip the gathering and BLAS altogether: direct kernels run on
// zero-padded copies of the images (conv_direct.go). UNet
// builds an α-conditioned U-Net from it (GroupNorm, a scale and shift per
// channel from an MLP of the conditioning, SiLU, residual blocks, average
// pooling, nearest upsampling, concatenated skips) with gradients to the
// weights, the images and the conditioning. With a BLAS on one thread
// (SetBLASThreads) the convolutions split their images across the cores
// themselves; OpenBLAS's idle threads otherwise spin on the cores that the
// U-Net's elementwise passes need.
//
// The engine is generic over float32 and float64: float32 for speed,
// float64 where gradients are checked to many digits. Its gradients are
// tested against finite differences and against gorgonia's automatic
// differentiation of the same network.
package nn
