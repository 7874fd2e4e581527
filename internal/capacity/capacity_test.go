package capacity

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRefusals: each refusal names the file or the work and what it
// would take; a disk too small is a SpaceError, a missing or non-folder
// a plain error; what fits passes.
func TestRefusals(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{OutDir(filepath.Join(dir, "no", "x.csv"), 0), "does not exist"},
		{OutDir(filepath.Join(file, "x.csv"), 0), "is not a folder"},
	} {
		var se *SpaceError
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) || errors.As(tc.err, &se) {
			t.Errorf("got %v, want a plain error with %q", tc.err, tc.want)
		}
	}
	if err := OutDir("", 1e30); err != nil {
		t.Errorf("no file: %v", err)
	}
	if err := OutDir(filepath.Join(dir, "x.csv"), 8); err != nil {
		t.Errorf("8 bytes: %v", err)
	}
	if FreeSpace(dir) > 0 {
		var se *SpaceError
		if err := OutDir(filepath.Join(dir, "x.csv"), 1e30); !errors.As(err, &se) || !strings.Contains(err.Error(), "would take at least") {
			t.Errorf("1e30 bytes: %v, want a SpaceError", err)
		}
	}
	if PhysicalMemory() > 0 {
		if err := Memory("the work", 1e30); err == nil || !strings.HasPrefix(err.Error(), "the work would need about") {
			t.Errorf("1e30 bytes of memory: %v", err)
		}
	}
	if err := Memory("the work", 1); err != nil {
		t.Errorf("1 byte of memory: %v", err)
	}
}
