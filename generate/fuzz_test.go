package generate

import (
	"strings"
	"testing"
)

// FuzzParseShard checks the parser of --shard i/n and the split it
// implies: no input panics; an error is one line naming the flag; an
// accepted shard has 0 ≤ i < n; and for any row count (huge ones
// included, where i·chunks could overflow) its rows lie inside [0, rows)
// and, for small n, the n shards tile the run exactly, in order.
func FuzzParseShard(f *testing.F) {
	for _, s := range []struct {
		spec string
		rows int
	}{
		{"0/4", 1000}, {"3/4", 100000}, {"", 10}, {"1/1", 5}, {"4/4", 100}, {"-1/4", 100},
		{"0/0", 100}, {"1/-2", 100}, {"a/b", 1}, {"1", 1}, {"1/2/3", 1}, {" 2 / 3 ", 1 << 20},
		{"0/9223372036854775807", 1 << 62}, {"9223372036854775806/9223372036854775807", 1 << 62},
		{"99999999999999999999/3", 7}, {"1/3", 0}, {"1/3", -5},
	} {
		f.Add(s.spec, s.rows)
	}
	f.Fuzz(func(t *testing.T, spec string, rows int) {
		sh, err := ParseShard(spec)
		if err != nil {
			if msg := err.Error(); strings.ContainsAny(msg, "\n\r") || !strings.HasPrefix(msg, "--shard ") {
				t.Fatalf("error %q: want one line starting --shard", msg)
			}
			return
		}
		if spec == "" {
			if sh.Count > 1 {
				t.Fatalf("empty --shard gave %+v", sh)
			}
		} else if sh.Count < 1 || sh.Index < 0 || sh.Index >= sh.Count {
			t.Fatalf("%q accepted as %+v", spec, sh)
		}
		if rows < 0 {
			return
		}
		lo, hi, err := sh.Rows(rows)
		if err != nil {
			return
		}
		if lo < 0 || hi < lo || hi > rows {
			t.Fatalf("shard %v of %d rows: rows [%d, %d)", sh, rows, lo, hi)
		}
		if sh.Count > 64 {
			return
		}
		count := max(1, sh.Count)
		next := 0
		for i := 0; i < count; i++ {
			l, h, err := Shard{Index: i, Count: count}.Rows(rows)
			if err != nil {
				t.Fatalf("shard %d/%d of %d rows: %v, though shard %v was accepted", i, sh.Count, rows, err, sh)
			}
			if l != next || h < l {
				t.Fatalf("shard %d/%d of %d rows: [%d, %d), previous ended at %d", i, sh.Count, rows, l, h, next)
			}
			next = h
		}
		if next != rows {
			t.Fatalf("%d shards of %d rows end at %d", count, rows, next)
		}
	})
}
