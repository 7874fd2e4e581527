package gk

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestSaveRefusesNonFiniteWeights: weights overflowed by a step (whose
// loss was still finite) are not written over the last good checkpoint:
// Save returns ErrNonFiniteLoss, the file keeps its bytes and SavedStep
// the step of that checkpoint (issue 20, case 14: the "last good
// checkpoint" named after a failure held +Inf weights and could not be
// loaded).
func TestSaveRefusesNonFiniteWeights(t *testing.T) {
	for _, f32 := range []bool{false, true} {
		tr := trTrainer(t, Config{Hidden: []int{4}, Float32: f32}, Settings{Steps: 2, Batch: 4})
		path := filepath.Join(t.TempDir(), "m.mmi")
		if err := tr.Save(path); err != nil {
			t.Fatal(err)
		}
		before, _ := os.ReadFile(path)
		switch p := tr.live.params().(type) {
		case []float64:
			p[3] = math.Inf(1)
		case []float32:
			p[3] = float32(math.NaN())
		}
		if err := tr.Save(path); !errors.Is(err, ErrNonFiniteLoss) {
			t.Errorf("float32 %v: Save of non-finite weights: %v", f32, err)
		}
		if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
			t.Errorf("float32 %v: the checkpoint was rewritten", f32)
		}
		if tr.SavedStep() != 0 {
			t.Errorf("float32 %v: SavedStep %d, want 0", f32, tr.SavedStep())
		}
		if _, err := Load(path); err != nil {
			t.Errorf("float32 %v: %v", f32, err)
		}
	}
}
