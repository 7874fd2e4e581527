// Package capacity refuses, before any work is done, what the machine
// cannot hold: work that needs more memory than it has, and output files
// whose folder is missing, not writable or too full. Its messages are
// meant for the user: one line naming the file or the work, what it
// would take and what there is.
package capacity

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/mmi-go/mmi/internal/bytesize"
)

// Memory refuses work that needs more than bytes of memory on a machine
// that has less, saying how much what would need.
func Memory(what string, bytes float64) error {
	if mem := PhysicalMemory(); mem > 0 && bytes > mem {
		return fmt.Errorf("%s would need about %s of memory; this machine has %s", what, bytesize.Format(bytes), bytesize.Format(mem))
	}
	return nil
}

// OutDir refuses an output file that Folder or Space refuses. An empty
// file name is no file and passes.
func OutDir(file string, bytes float64) error {
	if file == "" {
		return nil
	}
	if err := Folder(file); err != nil {
		return err
	}
	return Space(file, bytes)
}

// Folder refuses an output file whose folder does not exist, is not a
// folder or cannot be written.
func Folder(file string) error {
	dir := filepath.Dir(file)
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("cannot write %s: folder %s does not exist", file, dir)
	}
	if !st.IsDir() {
		return fmt.Errorf("cannot write %s: %s is not a folder", file, dir)
	}
	probe, err := os.CreateTemp(dir, ".mmi-probe*")
	if err != nil {
		return fmt.Errorf("cannot write %s: folder %s is not writable", file, dir)
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

// SpaceError is Space's refusal: a disk too small for the file, which is
// not the user's input but the machine's (a command exits with status 1,
// as when the disk fills while writing).
type SpaceError struct{ msg string }

func (e *SpaceError) Error() string { return e.msg }

// Space refuses an output file of bytes bytes (0: unknown) whose folder's
// file system has less free space.
func Space(file string, bytes float64) error {
	dir := filepath.Dir(file)
	if free := FreeSpace(dir); bytes > 0 && free > 0 && bytes > free {
		return &SpaceError{fmt.Sprintf("%s would take at least %s, and %s has %s free", file, bytesize.Format(bytes), dir, bytesize.Format(free))}
	}
	return nil
}

// SampleFileBytes is a lower bound on the size of a sample file of rows
// rows of cols numbers: 8 bytes a number in NPY, and at least that in CSV
// for numbers written to full precision.
func SampleFileBytes(rows, cols int) float64 { return 8 * float64(rows) * float64(cols) }
