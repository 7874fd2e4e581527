package gk

import (
	"bytes"
	"context"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"
)

// TestCheckpointNoClock: two identical trainings write byte-identical
// checkpoints (they differed in 9 bytes, a wall-clock "saved" field), and
// a checkpoint of an earlier version, which has that field, still loads.
func TestCheckpointNoClock(t *testing.T) {
	dir := t.TempDir()
	c := trCoupling(t, trMixtures(t))
	cfg := Config{Hidden: []int{8}, Specs: []string{"a", "b", "c"}}
	var files [2][]byte
	for i := range files {
		tr, err := NewTrainer(cfg, c, Settings{Steps: 3, Batch: 16, Seed: 5})
		if err != nil {
			t.Fatal(err)
		}
		tr.Path = filepath.Join(dir, "m.mmi")
		if err := tr.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		if files[i], err = os.ReadFile(tr.Path); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond) // a clock in the file would move
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Fatal("two identical trainings wrote different checkpoints")
	}

	p, err := decodeCheckpoint(files[0])
	if err != nil {
		t.Fatal(err)
	}
	old := struct {
		*checkpointPayload
		Saved time.Time `msgpack:"saved"`
	}{p, time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)}
	body, err := msgpack.Marshal(&old)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(body, []byte("saved")) {
		t.Fatal("the old-style payload has no saved field")
	}
	oldFile := filepath.Join(dir, "old.mmi")
	if err := os.WriteFile(oldFile, append(header(shapelessVersion, crc32.ChecksumIEEE(body), len(body)), body...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Resume(oldFile, c, nil); err != nil {
		t.Errorf("a checkpoint with a saved time does not load: %v", err)
	}
}
