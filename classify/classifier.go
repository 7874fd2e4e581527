package classify

import (
	"fmt"
	"math"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/nn"
)

// Classifier says which of the ten classes of a labelled set an image
// shows. Its methods may be called from one goroutine at a time.
type Classifier struct {
	// Set is the labelled set ("mnist", "fashion", "digits") or a view
	// of one ("mnist:crop20:8x8", see datasets.ViewClass), and Shape its
	// image size.
	Set   string
	Shape datasets.ImageShape
	// Settings are those it was trained with.
	Settings Settings
	// TestAccuracy is the share of the TestImages images of the test
	// split classified correctly, measured after training.
	TestAccuracy float64
	TestImages   int
	// TrainSeconds is the wall time of the training, which may have
	// happened in an earlier process (the cache keeps it).
	TrainSeconds float64

	net *nn.MLP[float32]
	// trunk is net without its output layer, whose last layer is linear
	// (the pre-activations of the features); head is the output layer.
	trunk, head *nn.MLP[float32]
	wsT, wsH    *nn.Workspace[float32]
	// refs holds the features of real images, by class (Evaluate).
	refs map[int]*reference
}

// batchRows is the batch in which images go through the network.
const batchRows = 512

// Dim returns the number of pixels of an image, Width·Height.
func (c *Classifier) Dim() int { return c.Shape.Width * c.Shape.Height }

// FeatureDim returns the dimension of Features, the width of the last
// hidden layer.
func (c *Classifier) FeatureDim() int { return c.net.Sizes[len(c.net.Sizes)-2] }

// split makes the trunk and head views of net's parameters (no copies:
// Params holds the layers one after the other).
func (c *Classifier) split() {
	L := c.net.Layers()
	nHead := (c.net.Sizes[L-1] + 1) * c.net.Sizes[L]
	p := c.net.Params
	c.trunk = &nn.MLP[float32]{Sizes: c.net.Sizes[:L], Act: c.net.Act, Params: p[:len(p)-nHead]}
	c.head = &nn.MLP[float32]{Sizes: c.net.Sizes[L-1:], Act: c.net.Act, Params: p[len(p)-nHead:]}
	c.wsT = c.trunk.NewWorkspace(batchRows)
	c.wsH = c.head.NewWorkspace(batchRows)
}

// Predict classifies the n = len(x)/Dim() images of x (rows of pixels
// scaled to [−1, 1] as package datasets gives them; values outside are
// clipped to it, as a picture shows them; NaN is an error) and returns each image's class
// and, if features is true, its features: the n × FeatureDim activations
// of the last hidden layer, the input of the output layer. A length that
// is not whole images is an error.
func (c *Classifier) Predict(x []float64, features bool) (classes []int, feats []float64, err error) {
	d := c.Dim()
	if len(x)%d != 0 {
		return nil, nil, fmt.Errorf("classify: %d values are not whole %d×%d images", len(x), c.Shape.Width, c.Shape.Height)
	}
	if c.trunk == nil {
		c.split()
	}
	n := len(x) / d
	f := c.FeatureDim()
	classes = make([]int, n)
	if features {
		feats = make([]float64, n*f)
	}
	in := make([]float32, batchRows*d)
	for lo := 0; lo < n; lo += batchRows {
		m := min(batchRows, n-lo)
		for i, v := range x[lo*d : (lo+m)*d] {
			if math.IsNaN(v) {
				return nil, nil, fmt.Errorf("classify: image %d has a NaN pixel", lo+i/d)
			}
			in[i] = float32(max(-1, min(1, v)))
		}
		z := c.trunk.Forward(c.wsT, in, m)
		for i, v := range z {
			z[i] = float32(c.net.Act.Apply(float64(v)))
		}
		if features {
			for i, v := range z {
				feats[lo*f+i] = float64(v)
			}
		}
		nn.Argmax(classes[lo:lo+m], c.head.Forward(c.wsH, z, m), Classes)
	}
	return classes, feats, nil
}

// accuracy returns the share of the images of im classified as labelled.
func (c *Classifier) accuracy(im *datasets.Images) float64 {
	classes, _, err := c.Predict(pixels(im), false)
	if err != nil || im.Len() == 0 {
		return 0
	}
	right := 0
	for i, l := range im.Labels {
		if classes[i] == int(l) {
			right++
		}
	}
	return float64(right) / float64(im.Len())
}
