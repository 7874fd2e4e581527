package classify

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/metrics"
)

// RecommendedN is the smallest number of samples for which Evaluate's
// Fréchet distances are worth comparing: below it their upward bias (which
// falls with n) dominates differences between models, and Evaluate warns.
const RecommendedN = 1000

// Report is Evaluate's measure of samples meant to be images of one class.
type Report struct {
	// Set and Class name the intended class ("mnist", 3).
	Set   string `json:"set"`
	Class int    `json:"class"`
	// N is the number of samples.
	N int `json:"n"`
	// Share is the share of the samples the classifier reads as Class.
	Share float64 `json:"share"`
	// Histogram counts the samples read as each class 0…9.
	Histogram []int `json:"histogram"`
	// Misread lists the samples read as another class (0-based rows of
	// the samples, in order): the ones to look at when Share falls short.
	Misread []int `json:"misread,omitempty"`
	// Frechet is the Fréchet distance (metrics.Frechet) between the
	// classifier's features of the samples and of the TestImages real
	// test images of the class.
	Frechet    float64 `json:"frechet"`
	TestImages int     `json:"test_images"`
	// Floor is the same distance for FloorN real training images of the
	// class drawn at random (FloorN = N when the class has that many):
	// what a perfect generator of N images would score. Ratio is
	// Frechet/Floor.
	Floor  float64 `json:"floor"`
	FloorN int     `json:"floor_n"`
	Ratio  float64 `json:"ratio"`
	// Clipped is the share of the pixel values outside [−1, 1], which
	// the classifier sees clipped (see Predict).
	Clipped float64 `json:"clipped"`
	// Ghost is metrics.Ghost's score of the samples against the class's
	// real images: the share of their ink on pixels where the training
	// images of the class almost never have ink, divided by the same share
	// of its real test images (real images score about 1; a translation
	// that keeps strokes of its source scores more).
	Ghost float64 `json:"ghost"`
	// GhostSE is the standard error of Ghost over the samples
	// (metrics.Ghost.ScoreSE); 0 when the samples have no ink.
	GhostSE float64 `json:"ghost_se"`
	// FeatureDim is the dimension of the features; ClassifierAccuracy the
	// classifier's accuracy on the whole test split.
	FeatureDim         int     `json:"feature_dim"`
	ClassifierAccuracy float64 `json:"classifier_accuracy"`
	// Warnings say when the numbers are less reliable: fewer than
	// RecommendedN samples, or a floor on fewer images than samples.
	Warnings []string `json:"warnings,omitempty"`
}

// reference holds the features of a class's real images.
type reference struct {
	testMean []float64
	testCov  *mat.SymDense
	tests    int
	train    []float64 // features of the training images, rows of FeatureDim
	ghost    *metrics.Ghost
}

// ref returns the features of the real images of class (computed once per
// classifier).
func (c *Classifier) ref(class int) (*reference, error) {
	if r := c.refs[class]; r != nil {
		return r, nil
	}
	test, _, err := datasets.ViewClass(c.Set, class, datasets.Test)
	if err != nil {
		return nil, err
	}
	train, _, err := datasets.ViewClass(c.Set, class, datasets.Train)
	if err != nil {
		return nil, err
	}
	_, tf, err := c.Predict(test, true)
	if err != nil {
		return nil, err
	}
	_, rf, err := c.Predict(train, true)
	if err != nil {
		return nil, err
	}
	f := c.FeatureDim()
	if len(tf)/f < 2 {
		return nil, fmt.Errorf("classify: %s class %d has %d test images; need 2", c.Set, class, len(tf)/f)
	}
	g, err := metrics.NewGhost(train, test, c.Dim(), -1, 1)
	if err != nil {
		return nil, fmt.Errorf("classify: %s class %d: %w", c.Set, class, err)
	}
	r := &reference{tests: len(tf) / f, train: rf, ghost: g}
	r.testMean, r.testCov = metrics.MeanCov(tf, f)
	if c.refs == nil {
		c.refs = map[int]*reference{}
	}
	c.refs[class] = r
	return r, nil
}

// Evaluate measures samples (rows of Dim() pixels, scaled to [−1, 1] as
// package datasets gives them; clipped to it, see Predict) meant to be
// images of class: the share read as class, the histogram of the classes
// read, and the Fréchet distance of their features to those of the real
// test images of the class, beside its floor at the same n (Report). The
// floor's training images are drawn with seed. At least two samples are
// needed; a class outside 0…9 or samples that are not whole images are
// errors.
func (c *Classifier) Evaluate(samples []float64, class int, seed uint64) (*Report, error) {
	if class < 0 || class >= Classes {
		return nil, fmt.Errorf("classify: class %d out of range 0…9", class)
	}
	classes, feats, err := c.Predict(samples, true)
	if err != nil {
		return nil, err
	}
	n := len(classes)
	if n < 2 {
		return nil, fmt.Errorf("classify: %d samples; the Fréchet distance needs at least 2", n)
	}
	ref, err := c.ref(class)
	if err != nil {
		return nil, err
	}
	f := c.FeatureDim()
	rep := &Report{Set: c.Set, Class: class, N: n, Histogram: make([]int, Classes),
		TestImages: ref.tests, FeatureDim: f, ClassifierAccuracy: c.TestAccuracy}
	for i, k := range classes {
		rep.Histogram[k]++
		if k != class {
			rep.Misread = append(rep.Misread, i)
		}
	}
	rep.Share = float64(rep.Histogram[class]) / float64(n)
	out := 0
	for _, v := range samples {
		if v < -1 || v > 1 {
			out++
		}
	}
	rep.Clipped = float64(out) / float64(len(samples))
	rep.Ghost, rep.GhostSE = ref.ghost.ScoreSE(samples)
	if math.IsNaN(rep.GhostSE) {
		rep.GhostSE = 0
	}
	mean, cov := metrics.MeanCov(feats, f)
	w := metrics.GaussianW2(mean, cov, ref.testMean, ref.testCov)
	rep.Frechet = w * w

	// The floor: as many real training images, without replacement.
	avail := len(ref.train) / f
	rep.FloorN = min(n, avail)
	r := rand.New(rand.NewPCG(seed, uint64(class)))
	pick := r.Perm(avail)[:rep.FloorN]
	sub := make([]float64, 0, rep.FloorN*f)
	for _, i := range pick {
		sub = append(sub, ref.train[i*f:(i+1)*f]...)
	}
	fm, fc := metrics.MeanCov(sub, f)
	w = metrics.GaussianW2(fm, fc, ref.testMean, ref.testCov)
	rep.Floor = w * w
	if rep.Floor > 0 {
		rep.Ratio = rep.Frechet / rep.Floor
	}
	if n < RecommendedN {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%d samples: Fréchet distances are biased upward at small n; use at least %d", n, RecommendedN))
	}
	if rep.FloorN < n {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("the floor uses all %d training images of class %d, fewer than the %d samples (its value is higher than at n = %d)", avail, class, n, n))
	}
	return rep, nil
}
