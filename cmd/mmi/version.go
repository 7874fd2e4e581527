package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mmi-go/mmi/nn"
)

// checkBLAS runs before every command: the program chooses its BLAS as
// MMI_BLAS says, and a request that could not be met (no OpenBLAS, or a
// file that is not a BLAS library) is a usage error, not a silent
// fall-back to the slow path.
func checkBLAS(*cobra.Command, []string) error {
	// OpenBLAS reads 0, -1 or "abc" as its default thread count,
	// silently; a thread count that was asked for is taken or refused.
	// (OMP_NUM_THREADS is left alone: OpenMP allows lists such as 4,2.)
	if v := os.Getenv("OPENBLAS_NUM_THREADS"); v != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err != nil || n < 1 {
			return usagef("OPENBLAS_NUM_THREADS=%s: want a positive whole number of threads (or unset it)", v)
		}
	}
	_, err := nn.UseEnvBLAS()
	return badInput(err)
}

// blasLine is the short form of the BLAS in use for progress lines:
// "OpenBLAS 0.3.21, 2 threads" or "pure-Go BLAS (gonum)".
func blasLine(b nn.BLASInfo) string {
	if !b.Native() {
		return "pure-Go BLAS (gonum)"
	}
	name := b.Name
	if f := strings.Fields(name); len(f) >= 2 && f[0] == "OpenBLAS" {
		name = f[0] + " " + f[1]
	}
	if b.Threads > 0 {
		return fmt.Sprintf("%s, %s", name, plural(b.Threads, "thread"))
	}
	return name
}

// fastPathHint is said once when a bare run fell back to pure Go because
// no OpenBLAS is installed (not when MMI_BLAS=go asked for it).
func fastPathHint(b nn.BLASInfo) string {
	if b.Native() || b.Missing == "" || strings.Contains(b.Missing, "not supported") {
		return "" // nothing to install where the loader is not supported
	}
	if runtime.GOOS == "darwin" {
		return "no OpenBLAS found, using the pure-Go BLAS; `brew install openblas` makes training several times faster\n"
	}
	return "no OpenBLAS found, using the pure-Go BLAS; `apt-get install libopenblas0` (Debian/Ubuntu; openblas on Fedora) makes training several times faster\n"
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, the Go version and the BLAS in use",
		Long: `Print mmi's module version, the Go toolchain that built it and the BLAS that
does the network's matrix products (OpenBLAS, found at run time, or gonum's
pure Go), with its thread count. MMI_BLAS=go|openblas|/path/to/lib.so
overrides the choice; OPENBLAS_NUM_THREADS sets OpenBLAS's threads.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := cmd.OutOrStdout()
			mod, vcs := "(unknown)", ""
			if bi, ok := debug.ReadBuildInfo(); ok {
				mod = bi.Main.Path + " " + bi.Main.Version
				for _, s := range bi.Settings {
					switch s.Key {
					case "vcs.revision":
						vcs = s.Value + vcs
					case "vcs.modified":
						if s.Value == "true" {
							vcs += " (modified)"
						}
					}
				}
			}
			b, _ := nn.BLAS() // checkBLAS has reported any error
			fmt.Fprintf(w, "mmi:      %s\n", mod)
			if vcs != "" {
				fmt.Fprintf(w, "revision: %s\n", vcs)
			}
			fmt.Fprintf(w, "go:       %s %s/%s, GOMAXPROCS %d\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0))
			if b.Native() {
				fmt.Fprintf(w, "blas:     %s\n", b.Name)
				lib := b.Path
				if b.File != "" && b.File != b.Path {
					lib += " → " + b.File
				}
				fmt.Fprintf(w, "library:  %s\n", lib)
				src := "GOMAXPROCS"
				for _, env := range []string{"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"} {
					if v := os.Getenv(env); v != "" {
						src = env + "=" + v
					}
				}
				fmt.Fprintf(w, "threads:  %d (%s)\n", b.Threads, src)
			} else {
				why := "MMI_BLAS=" + b.Request
				if b.Missing != "" {
					why = b.Missing
				}
				fmt.Fprintf(w, "blas:     gonum pure Go (%s)\n", why)
				fmt.Fprintf(w, "threads:  %d goroutines (GOMAXPROCS)\n", b.Threads)
			}
			return nil
		},
	}
}

// plural is "1 thread", "2 threads".
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
