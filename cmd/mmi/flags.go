package main

import (
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mmi-go/mmi/generate"
)

// Flag values shared by several commands: lists of marginals and shards.

// parseInts reads a comma-separated list of marginal indices (--via).
func parseInts(flag, s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	var out []int
	for _, p := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			return nil, usagef("%s: %q is not a marginal index", flag, p)
		}
		out = append(out, v)
	}
	return out, nil
}

func addShardFlag(cmd *cobra.Command, s *string) {
	cmd.Flags().StringVar(s, "shard", "", "compute only part i/n (0 ≤ i < n) of the run: the n outputs, concatenated in order, are the whole run's output")
}

func parseShard(s string) (generate.Shard, error) {
	sh, err := generate.ParseShard(s)
	return sh, badInput(err)
}

// shardRows returns the rows [lo, hi) of shard s of a run of rows rows,
// refusing more shards than the run has chunks before any work is done.
func shardRows(s generate.Shard, rows int) (lo, hi int, err error) {
	lo, hi, err = s.Rows(rows)
	if err != nil {
		return 0, 0, usagef("--shard %s: %v", s, err)
	}
	return lo, hi, nil
}
