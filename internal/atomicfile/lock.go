package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// ErrLocked: another process holds the Lock of the file.
var ErrLocked = errors.New("being written by another process")

// A Lock is the right to write one file: while a process holds it, no
// other process that asks for it gets it, so two runs of mmi writing one
// output (two trainings with one --out) cannot replace each other's file,
// and Clean cannot remove a live writer's temporary file. It is an
// exclusive flock(2) on a hidden file ".NAME.lock" beside the file (the
// file itself is replaced by every Write, so it cannot carry the lock);
// the kernel releases it when the process ends, however it ends.
type Lock struct {
	f    *os.File
	name string
}

// LockFor takes the Lock of path (of its target, through a symbolic link)
// without waiting; if another process holds it, the error wraps
// ErrLocked.
func LockFor(path string) (*Lock, error) {
	if target, _, err := resolve(path); err == nil {
		path = target
	}
	name := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".lock")
	for range 100 {
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, Mode)
		if err != nil {
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		if err := lockFile(f); err != nil {
			f.Close()
			if errors.Is(err, ErrLocked) {
				return nil, fmt.Errorf("%s is %w%s", path, ErrLocked, holder(name))
			}
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		// The holder before us may have removed the lock file after we
		// opened it: the lock is on a file no one else will open. Try
		// again on the one now there.
		fst, err1 := f.Stat()
		nst, err2 := os.Stat(name)
		if err1 != nil || err2 != nil || !os.SameFile(fst, nst) {
			f.Close()
			continue
		}
		f.Truncate(0)
		f.WriteString(strconv.Itoa(os.Getpid()) + "\n")
		return &Lock{f: f, name: name}, nil
	}
	return nil, fmt.Errorf("locking %s: the lock file keeps changing", path)
}

// Unlock removes the lock file and releases the lock; a nil Lock is
// already released.
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := os.Remove(l.name)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}
