// Package atomicfile replaces a file so that a reader, or the machine
// after a crash, finds either the old content or all of the new one, never
// a half-written file. Every file mmi writes (samples, specifications,
// pictures, paths, checkpoints) goes through Write, so they share one set
// of rules: same folder, fsync, rename, directory fsync, mode 0644 for a
// new file and the old mode for a replaced one; a symbolic link is written
// through (its target is replaced, the link stays), and devices, FIFOs,
// sockets, folders and read-only files are never replaced.
//
// The package also holds the rest of mmi's rules for the files it touches:
// Check, the start-up test of an output file (it never names an input, an
// existing file only when replacing is asked for); Lock, one writer per
// output file at a time; and Open and ReadFile, which read regular files
// only (a device such as /dev/zero never ends).
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Mode is the permission of a written file before the process's umask is
// applied (0644 under the usual umask 022): outputs are data for the user
// and their tools, not secrets.
const Mode fs.FileMode = 0o644

// syncDir makes a rename in dir durable; a variable so the tests can see
// that Write calls it.
var syncDir = func(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Write creates or replaces the file at path with what write writes. The
// bytes go through a buffer to a new temporary file in path's folder (a
// rename is atomic only within one file system), which is synced to disk,
// closed and renamed over path; then the folder is synced so that the
// rename itself survives a power loss. Systems that cannot sync a folder
// report it there; such an error is ignored, because the file is already
// whole and in place.
//
// When path is a symbolic link, its target is written (the link stays a
// link); a link to nothing is refused. An existing file keeps its
// permission bits; one that is not a regular file (a device, a FIFO, a
// socket, a folder) or that is read-only is refused with ErrNotRegular or
// ErrReadOnly and left alone.
//
// On any error path is left as it was and no temporary file remains. An
// error returned by write is returned as it is; the others name path and
// wrap the underlying *fs.PathError, so errors.Is(err, fs.ErrNotExist)
// and the like see through them.
func Write(path string, write func(io.Writer) error) (err error) {
	target, st, err := resolve(path)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if st != nil {
		if err := replaceable(target, st); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
	}
	dir := filepath.Dir(target)
	f, err := create(dir, filepath.Base(target))
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close() // may already be closed; the error is not news
			os.Remove(tmp)
		}
	}()
	if st != nil && st.Mode().Perm() != Mode {
		// The replaced file's mode, exactly: a 0600 file stays private.
		if err = f.Chmod(st.Mode().Perm()); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = os.Rename(tmp, target); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	syncDir(dir) // best effort: see the doc comment
	return nil
}

// WriteBytes is Write for content that is already in memory.
func WriteBytes(path string, data []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Clean removes the temporary files that writers of path killed before
// they could clean up (SIGKILL, a power loss) left in path's folder, and
// reports how many it removed. Only the owner of path may call it, when no
// other process is writing path: a live writer's temporary file looks the
// same. mmi calls it for each output file once it holds the file's Lock.
func Clean(path string) (int, error) {
	if target, _, err := resolve(path); err == nil {
		path = target
	}
	dir, base := filepath.Dir(path), filepath.Base(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("cleaning up after %s: %w", path, err)
	}
	n := 0
	for _, e := range entries {
		if !isTemp(e.Name(), base) || !e.Type().IsRegular() {
			continue
		}
		t := filepath.Join(dir, e.Name())
		if err := os.Remove(t); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, fmt.Errorf("removing %s: %w", t, err)
		}
		n++
	}
	return n, nil
}

// isTemp reports whether name is one of create's names for base:
// ".base.N.tmp" with N in base 36.
func isTemp(name, base string) bool {
	mid, ok := strings.CutPrefix(name, "."+base+".")
	if !ok {
		return false
	}
	mid, ok = strings.CutSuffix(mid, ".tmp")
	if !ok || mid == "" {
		return false
	}
	_, err := strconv.ParseUint(mid, 36, 64)
	return err == nil
}

// create makes a new hidden file ".base.N.tmp" in dir with Mode, so the
// umask applies as it does for any file a program creates (os.CreateTemp
// would make it 0600, and a later Chmod would ignore the umask).
func create(dir, base string) (*os.File, error) {
	for range 100 {
		name := filepath.Join(dir, "."+base+"."+strconv.FormatUint(rand.Uint64(), 36)+".tmp")
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, Mode)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, fmt.Errorf("no unused temporary name in %s", dir)
}
