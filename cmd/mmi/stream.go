package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/internal/bytesize"
	"github.com/mmi-go/mmi/samplefile"
)

// pictureRows is how many rows of a streamed run are kept for --png: a
// scatter plot of more points is a solid blot, and keeping them all would
// undo the bounded memory of streaming.
const pictureRows = 100000

// streamed is what a streamed run keeps: the first rows (for a picture),
// the statistics of all of them and the sum of their log-likelihoods.
type streamed struct {
	kept    *generate.Result
	rows    int
	logLik  float64
	written string
}

// streamRun runs job chunk by chunk (generate.Stream), writes its rows to
// file when given (with the log-likelihood as an extra column when the job
// computes it) in the memory of one chunk, and keeps the first keep rows.
// The file has the bytes that writing the whole result at once gives.
func streamRun(ctx context.Context, gen *generate.Generator, job generate.Job, file string, keep int) (*streamed, error) {
	_, d := gen.Sizes()
	rows := job.N
	if job.In != nil {
		rows = len(job.In) / d
	}
	lo, hi, err := job.Shard.Rows(rows)
	if err != nil {
		return nil, badInput(err)
	}
	out := &streamed{kept: &generate.Result{Lo: lo}}
	run := func(put func([]float64) error) error {
		return gen.Stream(ctx, job, func(p *generate.Result) error {
			out.rows += p.Hi - p.Lo
			k := out.kept
			k.Stats = k.Stats.Max(p.Stats)
			k.Hi = p.Hi
			if p.Trajectory != nil {
				k.Trajectory = p.Trajectory
			}
			if m := min(keep-len(k.X)/d, p.Hi-p.Lo); m > 0 {
				k.Start = append(k.Start, p.Start[:m*d]...)
				k.X = append(k.X, p.X[:m*d]...)
				if p.LogLik != nil {
					k.LogLik = append(k.LogLik, p.LogLik[:m]...)
				}
			}
			for _, l := range p.LogLik {
				out.logLik += l
			}
			if put == nil {
				return nil
			}
			if !job.LogLikelihood {
				return put(p.X)
			}
			n := p.Hi - p.Lo
			x := make([]float64, 0, n*(d+1))
			for i := 0; i < n; i++ {
				x = append(append(x, p.X[i*d:(i+1)*d]...), p.LogLik[i])
			}
			return put(x)
		})
	}
	if file == "" {
		return out, run(nil)
	}
	cols := d
	if job.LogLikelihood {
		cols++
	}
	if err := samplefile.WriteStream(file, hi-lo, cols, run); err != nil {
		return nil, err
	}
	out.written = file
	return out, nil
}

// checkOutDir refuses an output file whose folder does not exist, is not
// a folder, cannot be written, or has too little free space for bytes
// bytes (0: unknown), or that the rules of outputs.go refuse, before any
// work is done; then it holds the file's lock for the rest of the run. A
// full disk is not the user's input: exit 1, as when it fills while
// writing.
func checkOutDir(cmd *cobra.Command, file string, bytes float64) error {
	if file == "" {
		return nil
	}
	if err := checkFolder(file); err != nil {
		return err
	}
	if err := claimOutput(cmd, file, ""); err != nil {
		return err
	}
	dir := filepath.Dir(file)
	if free := freeSpace(dir); bytes > 0 && free > 0 {
		if bytes > free {
			return fmt.Errorf("%s would take at least %s, and %s has %s free", file, byteSize(bytes), dir, byteSize(free))
		}
	}
	return nil
}

// checkFolder refuses an output file whose folder does not exist, is not
// a folder or cannot be written.
func checkFolder(file string) error {
	dir := filepath.Dir(file)
	st, err := os.Stat(dir)
	if err != nil {
		return usagef("cannot write %s: folder %s does not exist", file, dir)
	}
	if !st.IsDir() {
		return usagef("cannot write %s: %s is not a folder", file, dir)
	}
	probe, err := os.CreateTemp(dir, ".mmi-probe*")
	if err != nil {
		return usagef("cannot write %s: folder %s is not writable", file, dir)
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

// checkPNGOut refuses a --png file that is not named .png (PNG bytes in
// x.jpg mislead every viewer), or that checkOutDir refuses.
func checkPNGOut(cmd *cobra.Command, file string) error {
	if file == "" {
		return nil
	}
	if err := notFolder(file); err != nil {
		return err
	}
	if !strings.EqualFold(filepath.Ext(file), ".png") {
		return usagef("--png %s: the picture is a PNG file; name it .png", file)
	}
	return checkOutDir(cmd, file, 0)
}

// notFolder refuses an output name that is a folder or ends in a
// separator, before its extension is looked at.
func notFolder(file string) error {
	if st, err := os.Stat(file); (err == nil && st.IsDir()) || strings.HasSuffix(file, "/") || strings.HasSuffix(file, string(filepath.Separator)) {
		return usagef("%s is a folder; name the file to write", file)
	}
	return nil
}

// sampleFileBytes is a lower bound on the size of a sample file of rows
// rows of cols numbers: 8 bytes a number in NPY, and at least that in CSV
// for numbers written to full precision.
func sampleFileBytes(rows, cols int) float64 { return 8 * float64(rows) * float64(cols) }

// checkMemory refuses, before allocating, work that needs more memory than
// the machine has, saying how much it would need.
func checkMemory(what string, bytes float64) error {
	if mem := physicalMemory(); mem > 0 && bytes > mem {
		return usagef("%s would need about %s of memory; this machine has %s", what, byteSize(bytes), byteSize(mem))
	}
	return nil
}

// byteSize formats a byte count with a binary unit: "1.5 GiB".
func byteSize(b float64) string { return bytesize.Format(b) }

// checkGaussianMemory refuses a dimension whose standard Gaussian
// (marginals.StandardGaussian keeps a dense d×d covariance and its
// Cholesky factor, float64) does not fit: a CSV of 200 000 columns asked
// for 600 GiB and died in the runtime's "out of memory".
func checkGaussianMemory(d int) error {
	return checkMemory(fmt.Sprintf("data of dimension %d (the standard Gaussian's d×d covariance)", d), 16*float64(d)*float64(d))
}

// checkTrainMemory refuses a training that cannot fit: the Gaussian of
// dimension d, and a network of the given shape for k1 marginals (inputs
// d plus the α features, outputs k1·d) with its weights, gradients, Adam
// moments and averaged copy (about 6 copies of the parameters) and the
// activations of a batch forward and backward (about 4 copies of all
// layer widths per row).
func checkTrainMemory(d, k1, hidden, layers, batch int, float32 bool) error {
	if err := checkGaussianMemory(d); err != nil {
		return err
	}
	elt := 8.0
	if float32 {
		elt = 4
	}
	in, out, h := float64(d+k1+64), float64(k1*d), float64(hidden)
	params := in*h + float64(layers-1)*h*h + h*out
	acts := float64(batch) * (in + float64(layers)*h + out)
	need := elt*(6*params+4*acts) + 16*float64(d)*float64(d)
	return checkMemory(fmt.Sprintf("training on data of dimension %d with %d hidden layers of %d, batch %d,", d, layers, hidden, batch), need)
}

// checkSamplesMemory refuses a command that keeps rows rows of cols
// numbers in memory several times over (start, end, fresh samples to
// compare with: about 4 copies of float64) when they cannot fit.
func checkSamplesMemory(cmd string, rows, cols int) error {
	return checkMemory(fmt.Sprintf("%s of %d rows of %d numbers", cmd, rows, cols), 4*8*float64(rows)*float64(cols))
}

// checkPathoptMemory refuses a path optimization that cannot fit: n joint
// draws of the k1 marginals, the path's points and velocities at every
// Gauss–Legendre node for every draw, and the sine coefficients (a few
// copies of each, float64).
func checkPathoptMemory(n, nodes, modes, k1, d int) error {
	fn, fd := float64(n), float64(d)
	need := 8 * (4*fn*float64(k1)*fd + 4*fn*float64(nodes)*fd + 16*float64(modes)*float64(k1)*float64(k1) + 64*float64(nodes))
	return checkMemory(fmt.Sprintf("pathopt with --n %d, --nodes %d and --modes %d", n, nodes, modes), need)
}
