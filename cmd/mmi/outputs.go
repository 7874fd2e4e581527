package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mmi-go/mmi/internal/atomicfile"
)

// The rules for the files a command writes (atomicfile.Check): an output
// is never one of the command's inputs, replaces an existing file only
// with --force (or, for mmi train, the checkpoint --resume continues),
// never replaces a device, FIFO, folder or read-only file, and is written
// through a symbolic link to its target. While a command runs it holds
// the lock of each of its outputs (atomicfile.LockFor): a second mmi
// writing the same file is refused, and the temporary files a killed
// writer left are removed once the lock is held.

// forceFlag is the flag that allows replacing existing output files.
const forceFlag = "force"

// writesFiles are the commands whose --out and --png files (and eval's
// --misread picture) follow these rules (mmi suite fills a folder of its
// own, by its own rules).
var writesFiles = map[string]bool{"train": true, "sample": true, "path": true, "transfer": true,
	"barycenter": true, "cat": true, "pathopt": true, "eval": true}

// outputFlags are the string flags that name files a command writes; every
// other string flag may name an input.
var outputFlags = map[string]bool{"out": true, "png": true, "misread": true}

// addForceFlag gives every command of writesFiles the --force flag.
func addForceFlag(c *cobra.Command) {
	if !writesFiles[c.Name()] {
		return
	}
	c.Flags().Bool(forceFlag, false, "replace output files that exist (never the command's input files)")
}

// outputs are the locks a run of mmi holds on its output files.
type outputs struct {
	mu    sync.Mutex
	locks map[string]*atomicfile.Lock
}

type outputsKey struct{}

// withOutputs returns ctx carrying a new set of output locks.
func withOutputs(ctx context.Context) (context.Context, *outputs) {
	o := &outputs{locks: map[string]*atomicfile.Lock{}}
	return context.WithValue(ctx, outputsKey{}, o), o
}

// release unlocks every output.
func (o *outputs) release() {
	o.mu.Lock()
	defer o.mu.Unlock()
	for name, l := range o.locks {
		l.Unlock()
		delete(o.locks, name)
	}
}

// claim takes the lock of file (once per run) and removes the temporary
// files that killed writers of it left behind.
func (o *outputs) claim(file string) error {
	abs, err := filepath.Abs(file)
	if err != nil {
		abs = file
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.locks[abs] != nil {
		return nil
	}
	l, err := atomicfile.LockFor(file)
	if err != nil {
		if errors.Is(err, atomicfile.ErrLocked) {
			return usagef("%v: wait for it to finish, or write another file", err)
		}
		return badInput(err)
	}
	o.locks[abs] = l
	if _, err := atomicfile.Clean(file); err != nil {
		return err
	}
	return nil
}

// claimOutput checks file as an output of cmd (atomicfile.Check, with
// --force and the command's input files), then takes its lock for the
// rest of the run. own, if not empty, is a file the command may replace
// without --force although it reads it: the checkpoint that mmi train
// --resume continues.
func claimOutput(cmd *cobra.Command, file, own string) error {
	opts := atomicfile.CheckOptions{Inputs: commandInputs(cmd)}
	if f := cmd.Flags().Lookup(forceFlag); f != nil && f.Value.String() == "true" {
		opts.Replace = true
	}
	if own != "" && sameFile(file, own) {
		opts.Replace = true
		opts.Inputs = slicesDelete(opts.Inputs, own)
	}
	if err := atomicfile.Check(file, opts); err != nil {
		if errors.Is(err, fs.ErrExist) && cmd.Name() == "train" {
			return usagef("%s exists; continue it with --resume %s, or give --%s to replace it", file, file, forceFlag)
		}
		if errors.Is(err, fs.ErrExist) {
			return usagef("%s exists; give --%s to replace it", file, forceFlag)
		}
		return badInput(err)
	}
	if o, ok := cmd.Context().Value(outputsKey{}).(*outputs); ok {
		return o.claim(file)
	}
	return nil
}

// commandInputs are the files cmd reads, found without knowing the
// command: every value of its string flags other than outputFlags,
// split at commas (--data lists), that names an existing file, and its
// arguments (mmi cat).
func commandInputs(cmd *cobra.Command) []string {
	var in []string
	add := func(s string) {
		if s == "" {
			return
		}
		if _, err := os.Stat(s); err == nil {
			in = append(in, s)
		}
	}
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Value.Type() != "string" || outputFlags[f.Name] {
			return
		}
		v := f.Value.String()
		add(v)
		for _, p := range strings.Split(v, ",") {
			add(strings.TrimSpace(p))
		}
	})
	for _, a := range cmd.Flags().Args() {
		add(a)
	}
	return in
}

// sameFile reports whether a and b name one existing file.
func sameFile(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// slicesDelete returns s without the entries naming the file f.
func slicesDelete(s []string, f string) []string {
	var out []string
	for _, x := range s {
		if !sameFile(x, f) {
			out = append(out, x)
		}
	}
	return out
}

// checkedWriter remembers the first error of writing to w (standard
// output): a command whose output was lost (`> /dev/full`, a closed pipe)
// does not exit 0.
type checkedWriter struct {
	w   io.Writer
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	if err != nil {
		c.err = fmt.Errorf("writing to standard output: %w", err)
	}
	return n, err
}
