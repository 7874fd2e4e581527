package atomicfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// names lists the entries of dir, to see temporary files left behind.
func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, e := range entries {
		s = append(s, e.Name())
	}
	return s
}

func TestWriteReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	for _, content := range []string{"first\n", "second, longer\n", ""} {
		if err := WriteBytes(path, []byte(content)); err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile(path); err != nil || string(b) != content {
			t.Fatalf("file holds %q, %v; want %q", b, err, content)
		}
	}
	if n := names(t, dir); len(n) != 1 {
		t.Errorf("folder holds %v after three writes, want only out.csv", n)
	}
	// A relative name writes into the working folder.
	t.Chdir(dir)
	if err := WriteBytes("rel.txt", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "rel.txt")); string(b) != "x" {
		t.Errorf("relative write: file holds %q", b)
	}
}

// TestWriteFailures checks every way a write can fail: the old file stays
// as it was and no temporary file is left behind.
func TestWriteFailures(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keep.bin")
	if err := WriteBytes(path, []byte("old")); err != nil {
		t.Fatal(err)
	}
	errWriter := errors.New("the writer failed")
	err := Write(path, func(w io.Writer) error {
		// More than the 64 KiB buffer, so part of it reached the file.
		if _, err := w.Write(make([]byte, 200<<10)); err != nil {
			return err
		}
		return errWriter
	})
	if err != errWriter {
		t.Errorf("failing writer: err = %v, want the writer's own error", err)
	}
	// The target is a folder that is not empty: the rename fails after the
	// temporary file was written, synced and closed.
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)
	os.WriteFile(filepath.Join(sub, "x"), nil, 0o644)
	if err := WriteBytes(sub, []byte("y")); err == nil {
		t.Error("renaming over a non-empty folder succeeded")
	}
	// The folder does not exist.
	err = WriteBytes(filepath.Join(dir, "missing", "x"), []byte("y"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing folder: err = %v, want one that wraps fs.ErrNotExist", err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "old" {
		t.Errorf("old file now %q, %v; want %q", b, err, "old")
	}
	if n := names(t, dir); len(n) != 2 {
		t.Errorf("folder holds %v after failed writes, want keep.bin and sub", n)
	}
}

// TestWriteReadOnlyFolder: a folder the process may not write to gives an
// error that wraps fs.ErrPermission and leaves nothing behind. The
// superuser may write anywhere, so the test cannot run as root.
func TestWriteReadOnlyFolder(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores folder permissions")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	err := WriteBytes(filepath.Join(dir, "x"), []byte("y"))
	if !errors.Is(err, fs.ErrPermission) {
		t.Errorf("read-only folder: err = %v, want one that wraps fs.ErrPermission", err)
	}
	if n := names(t, dir); len(n) != 0 {
		t.Errorf("read-only folder holds %v", n)
	}
}

// TestWriteSyncsFolder checks that the rename is made durable by syncing
// the folder that holds the file, after the file is in place.
func TestWriteSyncsFolder(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	var synced []string
	old := syncDir
	syncDir = func(d string) error {
		if _, err := os.Stat(path); err != nil {
			t.Errorf("folder synced before the rename: %v", err)
		}
		synced = append(synced, d)
		return old(d)
	}
	t.Cleanup(func() { syncDir = old })
	if err := WriteBytes(path, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if len(synced) != 1 || synced[0] != dir {
		t.Errorf("synced folders %v, want [%s]", synced, dir)
	}
}

// Clean removes exactly the temporary files a killed writer of the path
// leaves: not those of another file whose name extends it, not the file
// itself, not look-alikes that create never makes.
func TestClean(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "m.mmi")
	keep := []string{"m.mmi", ".m.mmi.x.y.tmp", ".m.mmi2.abc.tmp", ".m.mmi..tmp", "m.mmi.abc.tmp"}
	for _, n := range append([]string{".m.mmi.abc.tmp", ".m.mmi.0.tmp"}, keep...) {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A writer that made its temporary file and died before the rename.
	f, err := create(dir, "m.mmi")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	n, err := Clean(target)
	if err != nil || n != 3 {
		t.Fatalf("Clean removed %d files, %v; want 3", n, err)
	}
	got := names(t, dir)
	if !equalSets(got, keep) {
		t.Errorf("left %v, want %v", got, keep)
	}
}

func equalSets(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		if m[s] == 0 {
			return false
		}
		m[s]--
	}
	return true
}
