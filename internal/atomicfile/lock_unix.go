//go:build unix

package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// writable reports whether this process may write path (access(2) with
// W_OK: the owner's, group's or others' bits as they apply).
func writable(path string) bool { return unix.Access(path, unix.W_OK) == nil }

// lockFile takes an exclusive flock(2) on f without waiting.
func lockFile(f *os.File) error {
	err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		return ErrLocked
	}
	return err
}

// holder returns the process id written in a lock file, or "" if unknown.
func holder(name string) string {
	b, err := os.ReadFile(name)
	if err != nil {
		return ""
	}
	s := strings.TrimSpace(string(b))
	if _, err := strconv.Atoi(s); err != nil {
		return ""
	}
	return fmt.Sprintf(" (process %s)", s)
}
