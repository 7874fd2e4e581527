package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit statuses of DESIGN.md's command-line contract.
const (
	exitOK    = 0
	exitFail  = 1 // a failure that is not the user's input
	exitUsage = 2 // bad flags or bad input
	// exitInterrupted is the shell's status for a command stopped by
	// SIGINT (128 + 2); mmi exits with it after Ctrl-C, once whatever the
	// command saves on the way out (train's checkpoint) is written.
	// SIGTERM and SIGHUP (timeout, docker stop, systemd, Slurm, a closed
	// terminal) are handled the same way and exit with 128 + their
	// number, 143 and 129.
	exitInterrupted = 130
)

// stopSignals are the signals that stop a command cleanly: the context
// is cancelled, and the command saves what it saves on the way out.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// signalContext returns a context cancelled by the first of stopSignals,
// a function that returns that signal (nil if none came), and the stop
// function that releases the signals.
func signalContext() (context.Context, func() os.Signal, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 1)
	for _, s := range stopSignals {
		// A signal the process was started with ignored stays ignored:
		// `nohup mmi train &` must survive the terminal's SIGHUP, and a
		// background job of a script its SIGINT.
		if !signal.Ignored(s) {
			signal.Notify(ch, s)
		}
	}
	var mu sync.Mutex
	var got os.Signal
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			mu.Lock()
			got = s
			mu.Unlock()
			cancel()
		case <-done:
		}
	}()
	which := func() os.Signal {
		mu.Lock()
		defer mu.Unlock()
		return got
	}
	return ctx, which, func() { signal.Stop(ch); close(done); cancel() }
}

// usageError marks an error caused by the user's flags or input files:
// the command exits with status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// badInput wraps err as a usage error; nil stays nil.
func badInput(err error) error {
	if err == nil {
		return nil
	}
	return usageError{err}
}

// usagef returns a usage error with a formatted message.
func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// run executes the command line args and returns the exit status; main is
// one call to it, so the whole command is testable in-process.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, signalled, stop := signalContext()
	defer stop()
	defer restoreBLASThreads()
	ctx, outs := withOutputs(ctx)
	defer outs.release()

	out := &checkedWriter{w: stdout}
	root := newRoot(out, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	outs.release()
	if err == nil {
		err = out.err
	}
	if err == nil {
		return exitOK
	}
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		if s, ok := signalled().(syscall.Signal); ok && s != syscall.SIGINT {
			fmt.Fprintf(stderr, "mmi: interrupted (%v)\n", s)
			return 128 + int(s)
		}
		fmt.Fprintln(stderr, "mmi: interrupted")
		return exitInterrupted
	}
	msg := strings.TrimSpace(err.Error())
	fmt.Fprintf(stderr, "mmi: %s\n", firstLine(msg))
	var u usageError
	if errors.As(err, &u) || strings.HasPrefix(msg, "unknown command") {
		return exitUsage
	}
	return exitFail
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "mmi",
		Short: "Multimarginal generative modeling with stochastic interpolants",
		Long: `mmi learns, in one model, the conditional expectations g_k(α, x) = E[x_k | Σ_j α_j x_j = x]
of K data marginals and a Gaussian (marginal 0) over the whole simplex, then
generates along any path α(t): noise → any marginal, marginal i → marginal j,
noise → barycenters.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.CompletionOptions.DisableDefaultCmd = true
	root.PersistentPreRunE = checkBLAS
	root.AddCommand(
		newTrainCmd(),
		newDatasetsCmd(),
		newSampleCmd(),
		newEvalCmd(),
		newPathCmd(),
		newTransferCmd(), newBarycenterCmd(), newCatCmd(),
		newVersionCmd(),
		newPathoptCmd(),
		newSuiteCmd(),
	)
	for _, c := range root.Commands() {
		if c.Args == nil {
			c.Args = noArgs
		}
		addForceFlag(c)
		if c.Name() == "eval" {
			abandonOnSignal(c)
		}
	}
	return root
}

// abandonOnSignal makes c, a command that writes no file and cannot stop
// its work midway (mmi eval: distances, a classifier, the oracle report),
// return as soon as a stop signal cancels its context: there is nothing
// to save, so its goroutine is simply left to the exiting process.
func abandonOnSignal(c *cobra.Command) {
	inner := c.RunE
	c.RunE = func(cmd *cobra.Command, args []string) error {
		done := make(chan error, 1)
		go func() { done <- inner(cmd, args) }()
		select {
		case err := <-done:
			return err
		case <-cmd.Context().Done():
			return cmd.Context().Err()
		}
	}
}

// noArgs refuses positional arguments: every input is a flag.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("%s takes no arguments (got %q); see 'mmi %s --help'", cmd.Name(), args[0], cmd.Name())
	}
	return nil
}
