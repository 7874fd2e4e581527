package generate_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/path"
)

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want generate.Shard
		ok   bool
	}{
		{"", generate.Shard{}, true},
		{"0/1", generate.Shard{0, 1}, true},
		{"2/3", generate.Shard{2, 3}, true},
		{"3/3", generate.Shard{}, false},
		{"-1/3", generate.Shard{}, false},
		{"1/0", generate.Shard{}, false},
		{"1", generate.Shard{}, false},
		{"a/b", generate.Shard{}, false},
		{"1/2/3", generate.Shard{}, false},
	} {
		got, err := generate.ParseShard(tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("ParseShard(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// The shards of a run cover its rows exactly once, in order, by whole
// chunks; more shards than chunks is an error.
func TestShardRows(t *testing.T) {
	for _, rows := range []int{1, 1024, 1025, 5000, 10 * generate.ChunkRows} {
		for n := 1; n <= 4; n++ {
			next := 0
			for i := 0; i < n; i++ {
				lo, hi, err := generate.Shard{Index: i, Count: n}.Rows(rows)
				nc := (rows + generate.ChunkRows - 1) / generate.ChunkRows
				if nc < n && n > 1 {
					if err == nil {
						t.Errorf("%d rows, shard %d/%d: no error with %d chunks", rows, i, n, nc)
					}
					next = rows
					break
				}
				if err != nil || lo != next || hi < lo || (lo%generate.ChunkRows != 0) {
					t.Fatalf("%d rows, shard %d/%d: [%d, %d), %v; want start %d", rows, i, n, lo, hi, err, next)
				}
				next = hi
			}
			if next != rows {
				t.Errorf("%d rows, %d shards cover %d rows", rows, n, next)
			}
		}
	}
	a, b := generate.ChunkRand(1, 0).Uint64(), generate.ChunkRand(1, 1).Uint64()
	c := generate.ChunkRand(2, 0).Uint64()
	if a == b || a == c || a != generate.ChunkRand(1, 0).Uint64() {
		t.Error("chunk streams must be reproducible and differ by seed and chunk")
	}
}

// A run split into shards gives, concatenated, bit for bit the rows of
// the whole run: from fresh samples, from given rows, with the SDE (whose
// noise is drawn per chunk) and with an adaptive solver (whose steps are
// chosen per chunk).
func TestShardsConcatenate(t *testing.T) {
	g, _ := normalizedOracle(t)
	ctx := context.Background()
	p, _ := generate.Polyline(4, 1, 3)
	pz, _ := generate.Polyline(4, 0, 2)
	in, _ := g.Draw(1, 2100, rand.New(rand.NewPCG(9, 9)))
	for _, tc := range []struct {
		name string
		job  generate.Job
	}{
		{"fresh, dopri5", generate.Job{Path: p, N: 2500, Seed: 4}},
		{"rows, rk4", generate.Job{Path: p, In: in, Options: &generate.Options{Solver: path.RK4{Steps: 5}}}},
		{"sde", generate.Job{Path: pz, N: 2100, Seed: 5, Options: &generate.Options{SDE: path.EulerMaruyama{Steps: 20}}}},
		{"loglik", generate.Job{Path: pz, N: 2100, Seed: 6, LogLikelihood: true}},
	} {
		whole, err := g.Run(ctx, tc.job)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var x, ll []float64
		for i := 0; i < 3; i++ {
			job := tc.job
			job.Shard = generate.Shard{Index: i, Count: 3}
			res, err := g.Run(ctx, job)
			if err != nil {
				t.Fatalf("%s shard %d: %v", tc.name, i, err)
			}
			x = append(x, res.X...)
			ll = append(ll, res.LogLik...)
		}
		if !slices.Equal(x, whole.X) || !slices.Equal(ll, whole.LogLik) {
			t.Errorf("%s: the shards differ from the whole run", tc.name)
		}
	}
}

// A run's Stats count the work each row saw, not the sum over its chunks:
// a fixed-step solver's steps stay its steps however many chunks the run
// has (three here), and an adaptive solver reports its busiest chunk.
func TestRunStatsPerRow(t *testing.T) {
	g, _ := normalizedOracle(t)
	ctx := context.Background()
	p, _ := generate.Polyline(4, 0, 2)
	n := 2*generate.ChunkRows + 1
	res, err := g.Run(ctx, generate.Job{Path: p, N: n, Seed: 3, Options: &generate.Options{Solver: path.Euler{Steps: 8}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.NFE != 8 || res.Stats.Accepted != 8 {
		t.Errorf("Euler, 8 steps, %d rows: %+v; want 8 evaluations and 8 steps", n, res.Stats)
	}
	var most path.Stats
	for c := 0; c < 3; c++ {
		part, err := g.Run(ctx, generate.Job{Path: p, N: n, Seed: 3, Shard: generate.Shard{Index: c, Count: 3}})
		if err != nil {
			t.Fatal(err)
		}
		most = most.Max(part.Stats)
	}
	whole, err := g.Run(ctx, generate.Job{Path: p, N: n, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if whole.Stats != most {
		t.Errorf("dopri5: the run reports %+v, its busiest chunk %+v", whole.Stats, most)
	}
}
