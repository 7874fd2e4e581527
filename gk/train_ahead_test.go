package gk

import (
	"math"
	"path/filepath"
	"runtime"
	"testing"
)

// TestTrainDrawAhead checks the batches drawn ahead by another goroutine
// (with more than one core): the same weights to the bit as a trainer that
// draws each batch at the start of its step, with the coupling drawn every
// step and with draws shared by Reuse steps; a checkpoint written while a
// draw ahead is pending resumes to the same weights as the run that went
// on; a step that fails leaves the generator where it was (the next step
// draws what a trainer without drawing ahead would); and a step allocates
// nothing.
func TestTrainDrawAhead(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(2, runtime.GOMAXPROCS(0))))
	cfg := Config{Hidden: []int{16, 16}, Norm: Affine{Scale: 1}}
	c := trCoupling(t, trMixtures(t))
	for _, reuse := range []int{0, 3} {
		set := Settings{Steps: 14, Batch: 32, Seed: 4, Reuse: reuse}
		ref, err := NewTrainer(cfg, c, set)
		if err != nil {
			t.Fatal(err)
		}
		ref.ahead.off = true
		tr, err := NewTrainer(cfg, c, set)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "ahead.mmi")
		var resumed *Trainer
		for tr.Step() < set.Steps {
			if _, err := ref.trainStep(); err != nil {
				t.Fatal(err)
			}
			if _, err := tr.trainStep(); err != nil {
				t.Fatal(err)
			}
			if tr.Step() == 5 {
				if !tr.ahead.on {
					t.Fatal("no draw ahead at step 5: the test does not test it")
				}
				// Let the draw finish (the generator has moved on) and
				// leave its signal for the next step.
				<-tr.ahead.done
				tr.ahead.done <- struct{}{}
				if err := tr.Save(path); err != nil {
					t.Fatal(err)
				}
				if resumed, err = Resume(path, c, nil); err != nil {
					t.Fatal(err)
				}
			}
		}
		for resumed.Step() < set.Steps {
			if _, err := resumed.trainStep(); err != nil {
				t.Fatal(err)
			}
		}
		want := trParams(ref)
		for name, got := range map[string][][]float64{"drawn ahead": trParams(tr), "resumed": trParams(resumed)} {
			for i := range want {
				for j := range want[i] {
					if math.Float64bits(got[i][j]) != math.Float64bits(want[i][j]) {
						t.Fatalf("reuse %d, %s: parameter set %d entry %d = %v, want %v", reuse, name, i, j, got[i][j], want[i][j])
					}
				}
			}
		}
	}

	// A failed step puts the generator back: the retry draws the batch
	// that a trainer without drawing ahead draws.
	set := Settings{Steps: 10, Batch: 32, Seed: 4}
	ref, _ := NewTrainer(cfg, c, set)
	ref.ahead.off = true
	tr, _ := NewTrainer(cfg, c, set)
	for _, x := range []*Trainer{ref, tr} {
		if _, err := x.trainStep(); err != nil {
			t.Fatal(err)
		}
	}
	// What trainStep does when its loss is not finite.
	ref.takeBatch()
	tr.takeBatch()
	tr.drawAhead()
	tr.settle()
	ref.drawBatch()
	tr.drawBatch()
	for i := range ref.alphas {
		if ref.alphas[i] != tr.alphas[i] {
			t.Fatalf("after a failed step: α entry %d = %v, want %v", i, tr.alphas[i], ref.alphas[i])
		}
	}

	set.Steps = 1 << 20
	tr, _ = NewTrainer(Config{Hidden: []int{16, 16}, Float32: true, Norm: Affine{Scale: 1}}, c, set)
	tr.trainStep()
	if a := testing.AllocsPerRun(5, func() { tr.trainStep() }); a != 0 {
		t.Errorf("a training step drawing ahead allocates %v times", a)
	}
}
