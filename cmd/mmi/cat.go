package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mmi-go/mmi/internal/capacity"
	"github.com/mmi-go/mmi/samplefile"
)

func newCatCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "cat --out FILE FILE…",
		Short: "Concatenate sample files (the shards of a --shard run) into one",
		Long: `Concatenate the rows of sample files (.csv or .npy, in any mix), in the order
given, into --out (.csv or .npy). The shards of a run with --shard i/n, given
in shard order, give exactly the one-machine output: for .npy the same bytes
as a one-machine --out .npy.`,
		Example: `  mmi cat --out all.npy part-00.npy part-01.npy part-02.npy
  mmi cat --out all.npy part-*.npy        # the shell sorts zero-padded names`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("cat: name the files to concatenate")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, files []string) error { return runCat(cmd, out, files) },
	}
	cmd.Flags().StringVar(&out, "out", "", "output file (.csv or .npy)")
	return cmd
}

// runCat writes the rows of files to out in two passes, one file in
// memory at a time: the first checks the files and counts their rows (an
// .npy header needs the total), the second writes them as read.
func runCat(cmd *cobra.Command, out string, files []string) error {
	if err := checkOut(cmd, out); err != nil {
		return err
	}
	if out == "" {
		return usagef("cat: --out is required (.csv or .npy)")
	}
	rows, d, err := catRows(cmd.Context(), files)
	if err != nil {
		return err
	}
	if err := checkOutDir(cmd, out, capacity.SampleFileBytes(rows, d)); err != nil {
		return err
	}
	err = samplefile.WriteStream(out, rows, d, func(put func([]float64) error) error {
		for _, f := range files {
			if err := cmd.Context().Err(); err != nil {
				return err // Ctrl-C: the temporary file goes, no output
			}
			x, _, err := samplefile.Read(f)
			if err != nil {
				return badInput(err)
			}
			if err := put(x); err != nil {
				return err
			}
		}
		// A signal during the last file: no output either.
		return cmd.Context().Err()
	})
	if err != nil {
		var u usageError
		if errors.As(err, &u) {
			return err
		}
		return fmt.Errorf("writing samples: %w", err)
	}
	return nil
}

// catRows reads every file once and returns their total rows and their
// common dimension.
func catRows(ctx context.Context, files []string) (rows, d int, err error) {
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return 0, 0, err // Ctrl-C: stop, nothing written
		}
		x, df, err := samplefile.Read(f)
		if err != nil {
			return 0, 0, badInput(err)
		}
		if d != 0 && df != d {
			return 0, 0, usagef("cat: %s has dimension %d, %s has %d", f, df, files[0], d)
		}
		d = df
		rows += len(x) / d
	}
	return rows, d, nil
}
