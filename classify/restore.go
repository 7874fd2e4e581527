package classify

import (
	"fmt"
	"math/rand/v2"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/metrics"
)

// LabelledReport is EvaluateLabelled's measure of images of several
// classes, each meant as a given class: restorations (super-resolution,
// in-painting) of test images, say, each meant as its source's class.
type LabelledReport struct {
	Set string `json:"set"`
	N   int    `json:"n"`
	// Agreement is the share of the images read as their intended class.
	Agreement float64 `json:"agreement"`
	// Frechet is the Fréchet distance between the classifier's features
	// of the images and of the TestImages real test images of the whole
	// set (every class); Floor the same distance for FloorN real training
	// images drawn at random, what a perfect generator of N images of
	// the set's class mix would score; Ratio = Frechet/Floor.
	Frechet    float64 `json:"frechet"`
	TestImages int     `json:"test_images"`
	Floor      float64 `json:"floor"`
	FloorN     int     `json:"floor_n"`
	Ratio      float64 `json:"ratio"`
	// Clipped is the share of pixel values outside [−1, 1].
	Clipped            float64  `json:"clipped"`
	FeatureDim         int      `json:"feature_dim"`
	ClassifierAccuracy float64  `json:"classifier_accuracy"`
	Warnings           []string `json:"warnings,omitempty"`
}

// EvaluateLabelled measures images (rows of Dim() pixels in [−1, 1]) each
// meant as the class in labels (one per row): the share read as meant,
// and the Fréchet distance of their features to those of the set's real
// test images of all classes, beside its floor at the same n, drawn with
// seed. The floor matches the restorations of a test split, whose class
// mix is the set's; for another mix it is only indicative.
func (c *Classifier) EvaluateLabelled(samples []float64, labels []int, seed uint64) (*LabelledReport, error) {
	classes, feats, err := c.Predict(samples, true)
	if err != nil {
		return nil, err
	}
	n := len(classes)
	if n != len(labels) {
		return nil, fmt.Errorf("classify: %d images, %d labels", n, len(labels))
	}
	if n < 2 {
		return nil, fmt.Errorf("classify: %d images; the Fréchet distance needs at least 2", n)
	}
	rep := &LabelledReport{Set: c.Set, N: n, FeatureDim: c.FeatureDim(), ClassifierAccuracy: c.TestAccuracy}
	agree := 0
	for i, k := range classes {
		if k == labels[i] {
			agree++
		}
	}
	rep.Agreement = float64(agree) / float64(n)
	out := 0
	for _, v := range samples {
		if v < -1 || v > 1 {
			out++
		}
	}
	rep.Clipped = float64(out) / float64(len(samples))

	test, err := datasets.LoadView(c.Set, datasets.Test)
	if err != nil {
		return nil, err
	}
	_, tf, err := c.Predict(pixels(test), true)
	if err != nil {
		return nil, err
	}
	f := c.FeatureDim()
	rep.TestImages = len(tf) / f
	tm, tc := metrics.MeanCov(tf, f)
	m, cv := metrics.MeanCov(feats, f)
	w := metrics.GaussianW2(m, cv, tm, tc)
	rep.Frechet = w * w

	train, err := datasets.LoadView(c.Set, datasets.Train)
	if err != nil {
		return nil, err
	}
	rep.FloorN = min(n, train.Len())
	all := pixels(train)
	d := c.Dim()
	sub := make([]float64, 0, rep.FloorN*d)
	for _, i := range rand.New(rand.NewPCG(seed, 0x726573746f7265)).Perm(train.Len())[:rep.FloorN] {
		sub = append(sub, all[i*d:(i+1)*d]...)
	}
	_, ff, err := c.Predict(sub, true)
	if err != nil {
		return nil, err
	}
	fm, fc := metrics.MeanCov(ff, f)
	w = metrics.GaussianW2(fm, fc, tm, tc)
	rep.Floor = w * w
	if rep.Floor > 0 {
		rep.Ratio = rep.Frechet / rep.Floor
	}
	if n < RecommendedN {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%d images: Fréchet distances are biased upward at small n; use at least %d", n, RecommendedN))
	}
	return rep, nil
}

// pixels returns the images of im as rows scaled to [−1, 1] (through the
// classifier's float32 table).
func pixels(im *datasets.Images) []float64 {
	lut := pixelLUT(im.MaxPixel)
	x := make([]float64, len(im.Pixels))
	for i, p := range im.Pixels {
		x[i] = float64(lut[p])
	}
	return x
}
