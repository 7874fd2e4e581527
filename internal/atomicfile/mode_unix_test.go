//go:build unix

package atomicfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestWriteMode checks that a new file has mode 0644 less the umask, as a
// file made by any other program would: not os.CreateTemp's 0600, and not
// a fixed 0644 that ignores the umask.
func TestWriteMode(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		umask int
		want  os.FileMode
	}{{0o022, 0o644}, {0o027, 0o640}, {0o002, 0o644}} {
		old := syscall.Umask(c.umask)
		path := filepath.Join(dir, "f")
		err := WriteBytes(path, []byte("x"))
		syscall.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != c.want {
			t.Errorf("umask %03o: mode %03o, want %03o", c.umask, got, c.want)
		}
	}
}
