//go:build unix

package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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
		os.Remove(path) // a replaced file keeps its mode
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

// TestWriteKeepsMode: a replaced file keeps its permission bits exactly
// (a private 0600 file does not become 0644), whatever the umask.
func TestWriteKeepsMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	for _, m := range []os.FileMode{0o600, 0o640, 0o755} {
		if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, m); err != nil {
			t.Fatal(err)
		}
		if err := WriteBytes(path, []byte("new")); err != nil {
			t.Fatal(err)
		}
		st, _ := os.Stat(path)
		if st.Mode().Perm() != m {
			t.Errorf("replacing a %03o file left mode %03o", m, st.Mode().Perm())
		}
	}
}

// TestWriteSpecialFiles: a symbolic link is written through (the target
// is replaced, the link stays a link); a link to nothing, a FIFO, a
// character device, a folder and a read-only file are refused and left
// as they were, with no temporary file behind.
func TestWriteSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	os.WriteFile(p("target.csv"), []byte("old"), 0o644)
	if err := os.Symlink("target.csv", p("link.csv")); err != nil {
		t.Fatal(err)
	}
	if err := WriteBytes(p("link.csv"), []byte("new")); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(p("link.csv")); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced by a file")
	}
	if b, _ := os.ReadFile(p("target.csv")); string(b) != "new" {
		t.Errorf("the link's target holds %q, want \"new\"", b)
	}

	os.Symlink("missing.csv", p("broken.csv"))
	if err := syscall.Mkfifo(p("fifo.csv"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(p("dir.csv"), 0o755)
	os.WriteFile(p("ro.csv"), []byte("old"), 0o444)
	os.Symlink("/dev/null", p("null.csv"))
	for name, want := range map[string]error{
		"broken.csv": ErrBrokenLink, "fifo.csv": ErrNotRegular, "dir.csv": ErrNotRegular,
		"ro.csv": ErrReadOnly, "null.csv": ErrNotRegular,
	} {
		before, _ := os.Lstat(p(name))
		err := WriteBytes(p(name), []byte("new"))
		if !errors.Is(err, want) {
			t.Errorf("writing %s: %v, want %v", name, err, want)
		}
		after, _ := os.Lstat(p(name))
		if !os.SameFile(before, after) || before.Mode() != after.Mode() {
			t.Errorf("writing %s replaced it", name)
		}
	}
	if st, _ := os.Stat("/dev/null"); st.Mode()&os.ModeCharDevice == 0 {
		t.Error("/dev/null is no longer a device")
	}
	if b, _ := os.ReadFile(p("ro.csv")); string(b) != "old" {
		t.Errorf("the read-only file holds %q", b)
	}
	if tmp, _ := filepath.Glob(p(".*")); len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
}

// TestOpenRegularOnly: Open and ReadFile read regular files, through
// links, and refuse a device (directly or through a link) and a FIFO
// without blocking on it.
func TestOpenRegularOnly(t *testing.T) {
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	os.WriteFile(p("a.csv"), []byte("1,2\n"), 0o644)
	os.Symlink("a.csv", p("link.csv"))
	os.Symlink("/dev/zero", p("zero.csv"))
	syscall.Mkfifo(p("fifo.csv"), 0o644)
	for _, n := range []string{"a.csv", "link.csv"} {
		if b, err := ReadFile(p(n)); err != nil || string(b) != "1,2\n" {
			t.Errorf("ReadFile(%s) = %q, %v", n, b, err)
		}
	}
	for _, n := range []string{"/dev/zero", p("zero.csv"), p("fifo.csv"), dir} {
		if _, err := ReadFile(n); !errors.Is(err, ErrNotRegular) {
			t.Errorf("ReadFile(%s): %v, want ErrNotRegular", n, err)
		}
	}
}

// TestLock: one holder at a time; the lock file goes with Unlock and the
// next LockFor succeeds; Clean never takes a lock file for a leftover.
func TestLock(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.mmi")
	a, err := LockFor(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LockFor(path); !errors.Is(err, ErrLocked) {
		t.Fatalf("second LockFor: %v, want ErrLocked", err)
	} else if !strings.Contains(err.Error(), fmt.Sprint(os.Getpid())) {
		t.Errorf("the error does not name the holder: %v", err)
	}
	if n, _ := Clean(path); n != 0 {
		t.Errorf("Clean removed %d files", n)
	}
	if err := a.Unlock(); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) > 0 {
		t.Errorf("left after Unlock: %v", left)
	}
	b, err := LockFor(path)
	if err != nil {
		t.Fatalf("LockFor after Unlock: %v", err)
	}
	b.Unlock()
}

// TestCheck: the start-up rules of an output file.
func TestCheck(t *testing.T) {
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	os.WriteFile(p("in.csv"), []byte("1\n"), 0o644)
	os.WriteFile(p("old.csv"), []byte("1\n"), 0o644)
	os.Symlink("in.csv", p("inlink.csv"))
	inputs := []string{p("in.csv")}
	for _, c := range []struct {
		path    string
		replace bool
		want    error // nil: allowed; errAny: any error
	}{
		{p("new.csv"), false, nil},
		{p("old.csv"), true, nil},
		{p("old.csv"), false, fs.ErrExist},
		{p("in.csv"), true, ErrIsInput},
		{p("inlink.csv"), true, ErrIsInput},
		{"", true, errAny},
		{dir, true, errAny},
		{dir + "/", true, errAny},
		{p("x") + "/", true, errAny},
		{"/dev/null", true, ErrNotRegular},
	} {
		err := Check(c.path, CheckOptions{Replace: c.replace, Inputs: inputs})
		switch {
		case c.want == nil && err != nil, c.want != nil && err == nil:
			t.Errorf("Check(%q, replace %v) = %v, want %v", c.path, c.replace, err, c.want)
		case c.want != nil && c.want != errAny && !errors.Is(err, c.want):
			t.Errorf("Check(%q, replace %v) = %v, want %v", c.path, c.replace, err, c.want)
		}
	}
}

var errAny = errors.New("any error")
