package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Errors of the rules on the files mmi touches; the errors returned wrap
// them (test with errors.Is).
var (
	// ErrNotRegular: a device, FIFO, socket or folder where a file is
	// read or replaced. Reading /dev/zero never ends, and replacing
	// /dev/full (as root) would replace the device.
	ErrNotRegular = errors.New("not a regular file")
	// ErrReadOnly: a file its owner made read-only is not replaced.
	ErrReadOnly = errors.New("read-only")
	// ErrIsInput: an output that is also an input of the same command.
	ErrIsInput = errors.New("also an input")
	// ErrBrokenLink: a symbolic link to a file that does not exist.
	ErrBrokenLink = errors.New("symbolic link to a missing file")
)

// resolve returns the file that writing path writes: path itself, or the
// target of the symbolic link path is, and the target's FileInfo (nil if
// it does not exist yet).
func resolve(path string) (string, fs.FileInfo, error) {
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return path, nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	if st.Mode()&fs.ModeSymlink == 0 {
		return path, st, nil
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", nil, fmt.Errorf("%s is a %w", path, ErrBrokenLink)
	}
	if st, err = os.Stat(target); err != nil {
		return "", nil, err
	}
	return target, st, nil
}

// replaceable refuses to replace an existing file that is not a regular
// one or that is read-only.
func replaceable(path string, st fs.FileInfo) error {
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is %w (%s): only regular files are replaced", path, ErrNotRegular, kind(st.Mode()))
	}
	if st.Mode().Perm()&0o222 == 0 || !writable(path) {
		return fmt.Errorf("%s is %w", path, ErrReadOnly)
	}
	return nil
}

// kind names the type of a file that is not regular.
func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "a special file"
}

// CheckOptions are what Check allows.
type CheckOptions struct {
	// Replace allows replacing an existing regular file (mmi's --force,
	// or the checkpoint that mmi train --resume continues).
	Replace bool
	// Inputs are the files the command reads; an output is never one of
	// them, even with Replace (a training that replaces its data with its
	// checkpoint has lost the data).
	Inputs []string
}

// Check reports, before any work, whether a command may write path: a
// file name (not empty, not a folder, not ending in a separator), whose
// target (through a symbolic link) is no input, and, if it exists, a
// regular, writable file that o allows to be replaced (the error then
// wraps fs.ErrExist). It does not look at the folder; Write refuses again
// what Check refuses, whatever happens in between.
func Check(path string, o CheckOptions) error {
	if path == "" {
		return errors.New("no file name given")
	}
	if strings.HasSuffix(path, "/") || strings.HasSuffix(path, string(filepath.Separator)) {
		return fmt.Errorf("%s names a folder, not a file", path)
	}
	target, st, err := resolve(path)
	if err != nil {
		return err
	}
	if st == nil {
		return nil
	}
	if st.IsDir() {
		return fmt.Errorf("%s is a folder, not a file", path)
	}
	for _, in := range o.Inputs {
		if ist, err := os.Stat(in); err == nil && os.SameFile(st, ist) {
			return fmt.Errorf("%s is %w of this command (%s) and is never replaced", path, ErrIsInput, in)
		}
	}
	if err := replaceable(target, st); err != nil {
		return err
	}
	if !o.Replace {
		return fmt.Errorf("%s: %w", path, fs.ErrExist)
	}
	return nil
}

// Open opens path for reading if it is a regular file (through symbolic
// links); anything else is refused with ErrNotRegular before it is opened
// (opening a FIFO would wait for a writer, reading a device might never
// end).
func Open(path string) (*os.File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is %w (%s)", path, ErrNotRegular, kind(st.Mode()))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if st, err = f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s is %w", path, ErrNotRegular)
	}
	return f, nil
}

// ReadFile is os.ReadFile of a regular file only (Open).
func ReadFile(path string) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}
