package gk

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

// TestCheckpointNonFinite: a checkpoint whose numbers include a NaN or an
// infinity passes its checksum (it is written that way, not damaged), but
// a model with such a weight turns every sample into NaN. Load and Resume
// refuse it and say which number is at fault, for both float widths.
func TestCheckpointNonFinite(t *testing.T) {
	dir := t.TempDir()
	c := trCoupling(t, trMixtures(t))
	for _, cfg := range []Config{{Hidden: []int{4}}, {Hidden: []int{4}, Float32: true}} {
		tr := ckTrained(t, cfg)
		path := filepath.Join(dir, "good.mmi")
		if err := tr.Save(path); err != nil {
			t.Fatal(err)
		}
		good, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// put writes v as the i-th number of a blob of the model's width.
		put := func(b []byte, i int, v float64) {
			if cfg.Float32 {
				binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(float32(v)))
			} else {
				binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(v))
			}
		}
		for _, tc := range []struct {
			name   string
			change func(p *checkpointPayload)
			resume bool // the error comes from Resume; Load succeeds
			want   string
		}{
			{"NaN weight", func(p *checkpointPayload) { put(p.Weights, 3, math.NaN()) }, false, "weights: entry 3 is NaN"},
			{"Inf weight", func(p *checkpointPayload) { put(p.Weights, 0, math.Inf(-1)) }, false, "weights: entry 0 is -Inf"},
			{"NaN live weight", func(p *checkpointPayload) { put(p.Training.Params, 5, math.NaN()) }, true, "live weights: entry 5 is NaN"},
		} {
			p := new(checkpointPayload)
			if err := msgpack.Unmarshal(good[headerLen:], p); err != nil {
				t.Fatal(err)
			}
			tc.change(p)
			body, err := msgpack.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			bad := filepath.Join(dir, "bad.mmi")
			if err := os.WriteFile(bad, wrapPayload(body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err = Load(bad)
			if tc.resume {
				if err != nil {
					t.Fatalf("%s: Load: %v", tc.name, err)
				}
				_, err = Resume(bad, c, nil)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("float32 %v, %s: err = %v, want %q", cfg.Float32, tc.name, err, tc.want)
			}
		}
	}
}
