package generate

import (
	"context"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
)

// ChunkRows is the number of rows of one chunk: a run of n rows is cut
// into chunks [c·ChunkRows, (c+1)·ChunkRows), the last one shorter. Each
// chunk is integrated as one batch (an adaptive solver picks its steps from
// the batch, so the batch must not depend on how a run is split) and draws
// from its own random stream ChunkRand(seed, c). It is fixed, not a
// setting: changing it changes every output of a seed.
const ChunkRows = 1024

// ChunkRand returns the random source of chunk c of a run seeded with
// seed: a PCG whose 128-bit state is a SplitMix64 hash of (seed, c), so
// that the streams of different chunks are unrelated and chunk c draws
// the same numbers whichever machine computes it.
func ChunkRand(seed uint64, c int) *rand.Rand {
	hi := splitmix(seed ^ splitmix(uint64(c)+0x632be59bd9b4e019))
	lo := splitmix(hi ^ uint64(c))
	return rand.New(rand.NewPCG(hi, lo))
}

// splitmix is the finalizer of SplitMix64 (Steele, Lea, Flood 2014).
func splitmix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Shard is part Index (0-based) of Count equal parts of a run; the zero
// Shard is the whole run. Shards split a run by whole chunks, so the n
// shard outputs, concatenated in order, are the rows of the one-machine run.
type Shard struct{ Index, Count int }

// ParseShard parses "i/n" with 0 ≤ i < n (the form of a Slurm array
// task id or a Kubernetes completion index over the number of tasks); ""
// is the whole run.
func ParseShard(s string) (Shard, error) {
	if s == "" {
		return Shard{}, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("--shard %q: want i/n, e.g. 0/4 for the first of four shards", s)
	}
	if n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("--shard %q: need 0 ≤ i < n", s)
	}
	return Shard{Index: i, Count: n}, nil
}

// String returns "i/n", or "" for the whole run.
func (s Shard) String() string {
	if s.Count <= 1 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// Chunks returns the range [lo, hi) of chunk indices that the shard
// computes of a run of rows rows: an equal share of the ⌈rows/ChunkRows⌉
// chunks. It fails when there are fewer chunks than shards, which would
// leave a shard empty.
func (s Shard) Chunks(rows int) (lo, hi int, err error) {
	nc := numChunks(rows)
	if s.Count <= 1 {
		return 0, nc, nil
	}
	if nc < s.Count {
		return 0, 0, fmt.Errorf("%s make %s of %d, fewer than the %d shards: use at most %s",
			count(rows, "row", "rows"), count(nc, "chunk", "chunks"), ChunkRows, s.Count, count(max(1, nc), "shard", "shards"))
	}
	return mulDiv(s.Index, nc, s.Count), mulDiv(s.Index+1, nc, s.Count), nil
}

// count is "1 chunk" or "3 chunks".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// numChunks is ⌈rows/ChunkRows⌉, without the overflow of rows+ChunkRows−1
// near the largest int.
func numChunks(rows int) int {
	if rows <= 0 {
		return 0
	}
	return rows/ChunkRows + min(rows%ChunkRows, 1)
}

// chunkEnd is the row where chunk c of a run of rows rows ends.
func chunkEnd(c, rows int) int {
	if c >= rows/ChunkRows {
		return rows
	}
	return (c + 1) * ChunkRows
}

// mulDiv returns ⌊a·b/c⌋ for 0 ≤ a ≤ c and b ≥ 0 without overflowing
// (the product of a shard index and a chunk count can exceed an int:
// a fuzzed --shard 10700/10701 of 2^62 rows gave negative rows).
func mulDiv(a, b, c int) int {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	q, _ := bits.Div64(hi, lo, uint64(c))
	return int(q)
}

// Rows returns the rows [lo, hi) of a run of rows rows that the shard
// computes (whole chunks).
func (s Shard) Rows(rows int) (lo, hi int, err error) {
	c0, c1, err := s.Chunks(rows)
	if err != nil {
		return 0, 0, err
	}
	if c1 == c0 {
		return c0 * ChunkRows, c0 * ChunkRows, nil
	}
	return c0 * ChunkRows, chunkEnd(c1-1, rows), nil
}

// Chunk is one chunk of a run: rows [Lo, Hi) of the whole run, and its
// random source.
type Chunk struct {
	Index, Lo, Hi int
	Rand          *rand.Rand
}

// Len is the number of rows of the chunk.
func (c Chunk) Len() int { return c.Hi - c.Lo }

// EachChunk calls fn for every chunk of the shard's part of a run of rows
// rows seeded with seed, in order, and stops at the first error or when
// ctx is done. Results written by fn in chunk order, concatenated over the
// shards in order, are the one-machine results.
func EachChunk(ctx context.Context, rows int, s Shard, seed uint64, fn func(Chunk) error) error {
	c0, c1, err := s.Chunks(rows)
	if err != nil {
		return err
	}
	for c := c0; c < c1; c++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		ch := Chunk{Index: c, Lo: c * ChunkRows, Hi: chunkEnd(c, rows), Rand: ChunkRand(seed, c)}
		if err := fn(ch); err != nil {
			return err
		}
	}
	return nil
}
