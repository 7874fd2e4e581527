package classify

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mmi-go/mmi/datasets"
)

// digits trains the 8×8 digits classifier once per test binary (under a
// second).
var digitsClassifier *Classifier

func digits(t *testing.T) *Classifier {
	t.Helper()
	if digitsClassifier == nil {
		c, err := Train(context.Background(), "digits", DefaultSettings("digits"), nil)
		if err != nil {
			t.Fatal(err)
		}
		digitsClassifier = c
	}
	return digitsClassifier
}

// TestDigitsAccuracy: on the 445 held-out 8×8 digits the default
// classifier scores 0.98 (measured); 0.95 leaves room for another BLAS's
// rounding while a broken network or loss (chance: 0.1) fails. The
// accuracy is recomputed here from the test split, independently of the
// number Train recorded.
func TestDigitsAccuracy(t *testing.T) {
	c := digits(t)
	right, n := 0, 0
	for k := 0; k < Classes; k++ {
		x, _, err := datasets.ClassSplit("digits", k, datasets.Test)
		if err != nil {
			t.Fatal(err)
		}
		classes, _, err := c.Predict(x, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, got := range classes {
			if got == k {
				right++
			}
			n++
		}
	}
	acc := float64(right) / float64(n)
	if acc < 0.95 || n != 445 {
		t.Fatalf("accuracy %.4f on %d test images, want ≥ 0.95 on 445", acc, n)
	}
	if acc != c.TestAccuracy {
		t.Errorf("recomputed accuracy %v, Train recorded %v", acc, c.TestAccuracy)
	}
}

// TestEvaluate: real images of the class score near their floor, noise
// far above it; the share and histogram count what Predict says.
func TestEvaluate(t *testing.T) {
	c := digits(t)
	const class = 3
	real, _, err := datasets.ClassSplit("digits", class, datasets.Train)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := c.Evaluate(real, class, 1)
	if err != nil {
		t.Fatal(err)
	}
	// Training images are what the classifier learned from: all but a
	// few must be read as 3.
	if rep.N != 138 || rep.Share < 0.97 || rep.Histogram[class] != int(rep.Share*138+0.5) {
		t.Errorf("real training 3s: n %d, share %v, histogram %v", rep.N, rep.Share, rep.Histogram)
	}
	checkMisread(t, c, real, class, rep)
	// The same images as the floor's (all 138 training 3s, in another
	// order): the two distances must agree to the rounding of sums in
	// another order and of the eigendecompositions (measured 1e-8
	// relative).
	if rep.FloorN != 138 || rep.Frechet-rep.Floor > 1e-6*rep.Floor || rep.Floor-rep.Frechet > 1e-6*rep.Floor {
		t.Errorf("all training 3s: Fréchet %v, floor %v on %d", rep.Frechet, rep.Floor, rep.FloorN)
	}
	// Ghost: the training 3s have their ink where 3s have ink, about as
	// the test 3s do (ratio near 1); noise below puts ink everywhere.
	if rep.Ghost < 0.5 || rep.Ghost > 2 {
		t.Errorf("real training 3s: ghost %v, want about 1", rep.Ghost)
	}
	// Its standard error over 138 images: positive (the images differ)
	// and well below the score (metrics.TestGhostScoreSE checks its size).
	if !(rep.GhostSE > 0 && rep.GhostSE < 0.5*rep.Ghost) {
		t.Errorf("real training 3s: ghost %v ± %v", rep.Ghost, rep.GhostSE)
	}
	if len(rep.Warnings) == 0 || !strings.Contains(rep.Warnings[0], "at least 1000") {
		t.Errorf("no small-n warning: %v", rep.Warnings)
	}
	// Uniform noise in [−1, 1]: not a 3 (chance would read at most a
	// few as 3), and far from the real 3s: the distance of real 3s to
	// their test images is a few units of the feature scale, noise is
	// off by its whole mean (measured: ratio in the hundreds; 10 is a
	// safe bar that a Fréchet distance ignoring the mean would miss).
	r := rand.New(rand.NewPCG(1, 2))
	noise := make([]float64, 200*64)
	for i := range noise {
		noise[i] = 2*r.Float64() - 1
	}
	rep, err = c.Evaluate(noise, class, 1)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Clipped != 0 {
		t.Errorf("noise in [−1, 1]: %v clipped", rep.Clipped)
	}
	if rep.Ghost < 3 {
		t.Errorf("noise: ghost %v, want far above 1", rep.Ghost)
	}
	t.Logf("ghost: noise %.3g", rep.Ghost)
	if rep.Share > 0.5 || rep.Ratio < 10 {
		t.Errorf("noise: share %v, Fréchet %v, floor %v (ratio %v)", rep.Share, rep.Frechet, rep.Floor, rep.Ratio)
	}
	checkMisread(t, c, noise, class, rep)
	for i := 0; i < 64; i++ {
		noise[i] *= 2 // about half of these 64 of the 12800 values leave [−1, 1]
	}
	if rep, err := c.Evaluate(noise, class, 1); err != nil {
		t.Error(err)
	} else if rep.Clipped <= 0 || rep.Clipped > 64.0/12800 {
		t.Errorf("clipped share %v, want in (0, %v]", rep.Clipped, 64.0/12800)
	}
	if _, err := c.Evaluate(noise[:64], class, 1); err == nil {
		t.Error("one sample accepted")
	}
	if _, err := c.Evaluate(noise[:100], class, 1); err == nil {
		t.Error("a partial image accepted")
	}
	if _, err := c.Evaluate(noise, 10, 1); err == nil {
		t.Error("class 10 accepted")
	}
	noise[70] = math.NaN()
	if _, err := c.Evaluate(noise, class, 1); err == nil || !strings.Contains(err.Error(), "image 1 has a NaN") {
		t.Errorf("NaN pixel: err = %v", err)
	}
}

// checkMisread: rep.Misread lists, in order, exactly the samples that
// Predict reads as another class than class.
func checkMisread(t *testing.T, c *Classifier, samples []float64, class int, rep *Report) {
	t.Helper()
	read, _, err := c.Predict(samples, false)
	if err != nil {
		t.Fatal(err)
	}
	var want []int
	for i, k := range read {
		if k != class {
			want = append(want, i)
		}
	}
	if !slices.Equal(rep.Misread, want) || len(want) != rep.N-rep.Histogram[class] {
		t.Errorf("misread %v, Predict reads %v as another class than %d (histogram %v)", rep.Misread, want, class, rep.Histogram)
	}
}

// TestCache: the first Load trains and caches, the second reads the same
// network back; a corrupted file is retrained with a note, to the same
// bytes (fixed seed).
func TestCache(t *testing.T) {
	dir := t.TempDir()
	s := DefaultSettings("digits")
	s.Epochs = 3 // the cache, not the accuracy, is under test
	var log bytes.Buffer
	o := &Options{Dir: dir, Settings: &s, Log: &log}
	c1, err := Load(context.Background(), "digits", o)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "training the digits classifier") {
		t.Errorf("first Load did not say it trains: %q", log.String())
	}
	files, _ := filepath.Glob(filepath.Join(dir, "digits-*.cls"))
	if len(files) != 1 {
		t.Fatalf("cache files %v, want one", files)
	}
	log.Reset()
	c2, err := Load(context.Background(), "digits", o)
	if err != nil {
		t.Fatal(err)
	}
	if log.Len() != 0 {
		t.Errorf("second Load logged %q, want a silent cache hit", log.String())
	}
	sameNet(t, c1, c2)
	if c2.TestAccuracy != c1.TestAccuracy || c2.TrainSeconds != c1.TrainSeconds {
		t.Errorf("cached accuracy %v and time %v, trained %v and %v", c2.TestAccuracy, c2.TrainSeconds, c1.TestAccuracy, c1.TrainSeconds)
	}

	// Other settings are another key, another file.
	s2 := s
	s2.Seed = 2
	if _, err := Load(context.Background(), "digits", &Options{Dir: dir, Settings: &s2}); err != nil {
		t.Fatal(err)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "digits-*.cls")); len(files) != 2 {
		t.Errorf("cache files %v, want two", files)
	}

	data, _ := os.ReadFile(files[0])
	for name, bad := range map[string][]byte{
		"flipped byte": func() []byte { b := append([]byte(nil), data...); b[len(b)/2] ^= 1; return b }(),
		"cut short":    data[:len(data)/3],
		"empty":        nil,
		"not ours":     []byte("hello\n"),
	} {
		if err := os.WriteFile(files[0], bad, 0o644); err != nil {
			t.Fatal(err)
		}
		log.Reset()
		c3, err := Load(context.Background(), "digits", o)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !strings.Contains(log.String(), "unusable") || !strings.Contains(log.String(), "training it again") {
			t.Errorf("%s: log %q, want a note", name, log.String())
		}
		sameNet(t, c1, c3)
	}
	// The retrained file is whole again.
	log.Reset()
	if _, err := Load(context.Background(), "digits", o); err != nil || log.Len() != 0 {
		t.Errorf("after retraining: err %v, log %q", err, log.String())
	}
}

func sameNet(t *testing.T, a, b *Classifier) {
	t.Helper()
	if len(a.net.Params) != len(b.net.Params) {
		t.Fatalf("%d and %d parameters", len(a.net.Params), len(b.net.Params))
	}
	for i := range a.net.Params {
		if a.net.Params[i] != b.net.Params[i] {
			t.Fatalf("parameter %d: %v and %v", i, a.net.Params[i], b.net.Params[i])
		}
	}
}

// TestBigSetsAccuracy checks the accuracy bars of MNIST (≥ 0.98) and
// Fashion-MNIST (≥ 0.89) on their 10000 test images, recomputed from the
// loaded network. Training takes about a minute per set on two cores the
// first time (cached afterwards in the user's cache directory), so it
// runs only with MMI_LONG=1.
func TestBigSetsAccuracy(t *testing.T) {
	if os.Getenv("MMI_LONG") == "" {
		t.Skip("set MMI_LONG=1 to train (or load) the MNIST and Fashion-MNIST classifiers")
	}
	for _, c := range []struct {
		set string
		bar float64
	}{{"mnist", 0.98}, {"fashion", 0.89}} {
		cl, err := Load(context.Background(), c.set, &Options{Log: testLog{t}})
		if err != nil {
			t.Fatal(err)
		}
		test, err := datasets.LoadImages(c.set, datasets.Test)
		if err != nil {
			t.Fatal(err)
		}
		acc := cl.accuracy(test)
		t.Logf("%s: test accuracy %.4f on %d images (trained in %.0f s)", c.set, acc, test.Len(), cl.TrainSeconds)
		if acc < c.bar {
			t.Errorf("%s: accuracy %.4f, want ≥ %v", c.set, acc, c.bar)
		}
	}
}

type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// TestView: a classifier of a view of a set trains on the view's images
// and measures images of its size (here the central 6×6 pixels of the 8×8
// digits, which keep most of the ink: measured accuracy 0.96; 0.8 is far
// above chance, 0.1).
func TestView(t *testing.T) {
	s := DefaultSettings("digits:crop6")
	s.Epochs = 30
	c, err := Train(context.Background(), "digits:crop6", s, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("digits:crop6: accuracy %.4f", c.TestAccuracy)
	if c.Dim() != 36 || c.TestImages != 445 || c.TestAccuracy < 0.8 {
		t.Fatalf("digits:crop6: %d pixels, accuracy %.3f on %d test images", c.Dim(), c.TestAccuracy, c.TestImages)
	}
	x, _, err := datasets.ViewClass("digits:crop6", 4, datasets.Test)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := c.Evaluate(x, 4, 1)
	if err != nil || rep.Share < 0.8 {
		t.Fatalf("held-out 4s of the view: %+v, %v", rep, err)
	}
	if _, err := c.Evaluate(x[:64*2], 4, 1); err == nil {
		t.Error("8×8 images accepted by a 6×6 classifier")
	}
}
