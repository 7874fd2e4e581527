package samplefile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteStreamSameBytes: a file streamed in blocks of any size has the
// bytes of the one-call Write of the same rows, for both formats; a short
// or failed stream leaves the old file in place.
func TestWriteStreamSameBytes(t *testing.T) {
	dir := t.TempDir()
	const n, d = 1003, 3
	x := testData(n, d)
	for _, ext := range []string{".csv", ".npy"} {
		whole := filepath.Join(dir, "whole"+ext)
		if err := Write(whole, x, d); err != nil {
			t.Fatal(err)
		}
		want, _ := os.ReadFile(whole)
		for _, block := range []int{1, 7, 64, 1000, n} {
			f := filepath.Join(dir, "stream"+ext)
			err := WriteStream(f, n, d, func(put func([]float64) error) error {
				for lo := 0; lo < n; lo += block {
					if err := put(x[lo*d : min(lo+block, n)*d]); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatalf("%s, blocks of %d: %v", ext, block, err)
			}
			if got, _ := os.ReadFile(f); !bytes.Equal(got, want) {
				t.Errorf("%s, blocks of %d rows: %d bytes differ from Write's %d", ext, block, len(got), len(want))
			}
		}

		// A stream that stops early, or fails, leaves the old file.
		f := filepath.Join(dir, "keep"+ext)
		if err := Write(f, x[:d], d); err != nil {
			t.Fatal(err)
		}
		old, _ := os.ReadFile(f)
		err := WriteStream(f, n, d, func(put func([]float64) error) error { return put(x[:10*d]) })
		if err == nil || !strings.Contains(err.Error(), "10 rows written of the 1003") {
			t.Errorf("%s short stream: err = %v", ext, err)
		}
		boom := errors.New("boom")
		if err := WriteStream(f, n, d, func(put func([]float64) error) error { return boom }); !errors.Is(err, boom) {
			t.Errorf("%s failed stream: err = %v", ext, err)
		}
		if err := WriteStream(f, 1, d, func(put func([]float64) error) error { return put(x[:2*d]) }); err == nil {
			t.Errorf("%s: a stream longer than announced was accepted", ext)
		}
		if got, _ := os.ReadFile(f); !bytes.Equal(got, old) {
			t.Errorf("%s: a failed stream changed the file", ext)
		}
		if m, _ := filepath.Glob(filepath.Join(dir, ".keep*")); len(m) != 0 {
			t.Errorf("temporary files left: %v", m)
		}
	}
}
