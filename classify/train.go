package classify

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/nn"
)

// Classes is the number of classes of every labelled set.
const Classes = 10

// Settings are what a classifier is trained with. They key the cache: a
// change of any field trains a new classifier.
type Settings struct {
	// Hidden are the widths of the hidden SiLU layers; the last is the
	// dimension of the features (Features).
	Hidden []int
	// Epochs is the number of passes over the training split.
	Epochs int
	// Batch is the number of images per step.
	Batch int
	// LR is Adam's initial learning rate, decayed to zero along a
	// cosine over the run.
	LR float64
	// Shift is the largest random translation of a training image, in
	// pixels, along each axis (uncovered pixels are background, −1).
	Shift int
	// Flip mirrors half the training images left–right.
	Flip bool
	// Seed seeds the initial weights, the order of the images and the
	// augmentation.
	Seed uint64
}

// DefaultSettings returns the settings Load trains the classifier of set
// with: sized, by measurement on two cores, to pass the accuracy bars in
// about a minute for the 28×28 sets and a second for the 8×8 digits.
// Views of MNIST and Fashion-MNIST at 16×16 or less (mnist:crop20:8x8) get
// the digits' smaller network and shifts of one pixel, trained 10 epochs.
func DefaultSettings(set string) Settings {
	base, _, _ := strings.Cut(set, ":")
	if base != "digits" && base != set {
		if s, err := datasets.ViewShape(set); err == nil && s.Width*s.Height <= 256 {
			return Settings{Hidden: []int{256, 128}, Epochs: 10, Batch: 128, LR: 2e-3, Shift: 1, Flip: base == "fashion", Seed: 1}
		}
	}
	switch base {
	case "digits":
		return Settings{Hidden: []int{256, 128}, Epochs: 60, Batch: 64, LR: 2e-3, Shift: 1, Seed: 1}
	case "fashion":
		return Settings{Hidden: []int{512, 256}, Epochs: 15, Batch: 128, LR: 1e-3, Flip: true, Seed: 1}
	}
	return Settings{Hidden: []int{512, 256}, Epochs: 10, Batch: 128, LR: 1e-3, Shift: 2, Seed: 1}
}

func (s Settings) check() error {
	if len(s.Hidden) == 0 {
		return fmt.Errorf("classify: no hidden layers")
	}
	for _, h := range s.Hidden {
		if h < 1 {
			return fmt.Errorf("classify: hidden width %d", h)
		}
	}
	if s.Epochs < 1 || s.Batch < 1 || !(s.LR > 0) || s.Shift < 0 {
		return fmt.Errorf("classify: settings %+v: epochs, batch and learning rate must be positive, shift non-negative", s)
	}
	return nil
}

// Train trains a classifier for the labelled set named set ("mnist",
// "fashion", "digits", or a view such as "mnist:crop20:8x8", see
// datasets.ViewClass) with settings s on its training split and measures
// its accuracy on the test split. Progress goes to log (nil: none). It
// stops with ctx's error when ctx is done.
func Train(ctx context.Context, set string, s Settings, log io.Writer) (*Classifier, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	set = strings.ToLower(strings.TrimSpace(set))
	train, err := datasets.LoadView(set, datasets.Train)
	if err != nil {
		return nil, err
	}
	test, err := datasets.LoadView(set, datasets.Test)
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	d := train.Shape.Width * train.Shape.Height
	sizes := append(append([]int{d}, s.Hidden...), Classes)
	r := rand.New(rand.NewPCG(s.Seed, 0x636c617373696679)) // "classify"
	net := nn.NewMLP[float32](sizes, nn.SiLU, r)
	ws := net.NewWorkspace(s.Batch)
	opt := nn.NewAdam[float32](len(net.Params))
	grad := make([]float32, len(net.Params))
	in := make([]float32, s.Batch*d)
	dOut := make([]float32, s.Batch*Classes)
	labels := make([]int, s.Batch)
	lut := pixelLUT(train.MaxPixel)

	n := train.Len()
	perEpoch := n / s.Batch
	steps := s.Epochs * perEpoch
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	step := 0
	lastLog := t0
	for epoch := 0; epoch < s.Epochs; epoch++ {
		r.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
		loss := 0.0
		for b := 0; b < perEpoch; b++ {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			for i := 0; i < s.Batch; i++ {
				k := order[b*s.Batch+i]
				augment(in[i*d:(i+1)*d], train.Pixels[k*d:(k+1)*d], train.Shape, lut, s, r)
				labels[i] = int(train.Labels[k])
			}
			out := net.Forward(ws, in, s.Batch)
			loss += nn.SoftmaxCrossEntropy(dOut, out, labels, Classes)
			nn.ZeroGrad(grad)
			net.Backward(ws, dOut, grad, nil)
			lr := s.LR * 0.5 * (1 + math.Cos(math.Pi*float64(step)/float64(steps)))
			opt.Update(net.Params, grad, lr)
			step++
		}
		if log != nil && (time.Since(lastLog) > 10*time.Second || epoch == s.Epochs-1 && time.Since(t0) > 10*time.Second) {
			lastLog = time.Now()
			fmt.Fprintf(log, "classify: %s epoch %d/%d, training loss %.4f, %.0f s\n",
				set, epoch+1, s.Epochs, loss/float64(perEpoch), time.Since(t0).Seconds())
		}
	}
	c := &Classifier{Set: set, Shape: train.Shape, Settings: s, net: net,
		TrainSeconds: time.Since(t0).Seconds()}
	c.TestImages = test.Len()
	c.TestAccuracy = c.accuracy(test)
	return c, nil
}

// pixelLUT maps a raw pixel p to 2p/max − 1, the scale of package datasets.
func pixelLUT(max float64) *[256]float32 {
	var lut [256]float32
	for p := range lut {
		lut[p] = float32(2*float64(p)/max - 1)
	}
	return &lut
}

// augment writes the raw image src, scaled by lut, into dst, shifted by a
// random offset of up to s.Shift pixels per axis (background −1 where
// nothing is shifted in) and, with s.Flip, mirrored with probability ½.
func augment(dst []float32, src []byte, sh datasets.ImageShape, lut *[256]float32, s Settings, r *rand.Rand) {
	dx, dy := 0, 0
	if s.Shift > 0 {
		dx, dy = r.IntN(2*s.Shift+1)-s.Shift, r.IntN(2*s.Shift+1)-s.Shift
	}
	flip := s.Flip && r.IntN(2) == 1
	w, h := sh.Width, sh.Height
	for y := 0; y < h; y++ {
		sy := y - dy
		row := dst[y*w : (y+1)*w]
		if sy < 0 || sy >= h {
			for x := range row {
				row[x] = -1
			}
			continue
		}
		srow := src[sy*w : (sy+1)*w]
		for x := range row {
			sx := x - dx
			if flip {
				sx = w - 1 - x - dx
			}
			if sx < 0 || sx >= w {
				row[x] = -1
			} else {
				row[x] = lut[srow[sx]]
			}
		}
	}
}
