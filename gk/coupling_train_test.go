package gk

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmi-go/mmi/marginals"
)

// trOTCoupling is the OT coupling (blocks of block rows) of N(0, I) and
// the mixtures.
func trOTCoupling(t testing.TB, mix []*marginals.Mixture, block int) marginals.Coupling {
	t.Helper()
	ms := []marginals.Marginal{marginals.StandardGaussian(mix[0].Dim())}
	for _, m := range mix {
		ms = append(ms, m)
	}
	c, err := marginals.NewOT(block, ms...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A run on the OT coupling with tuples reused over 3 steps, saved at step
// 7 (inside a reuse period) and resumed, ends bit for bit like the run
// that was never interrupted; the checkpoint records the coupling, is
// format version 3, and refuses to resume on the independent coupling.
func TestTrainOTResume(t *testing.T) {
	dir := t.TempDir()
	mix := trMixtures(t)
	c := trOTCoupling(t, mix, 16)
	cfg := Config{Hidden: []int{16, 16}}
	set := Settings{Steps: 14, Batch: 32, Seed: 5, Reuse: 3}
	straight, err := NewTrainer(cfg, c, set)
	if err != nil {
		t.Fatal(err)
	}
	if got := straight.Model().Coupling(); got.String() != "ot:16" {
		t.Fatalf("model coupling %v, want ot:16", got)
	}
	if err := straight.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	half, err := NewTrainer(cfg, c, set)
	if err != nil {
		t.Fatal(err)
	}
	for half.Step() < 7 {
		if _, err := half.trainStep(); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "half.mmi")
	if err := half.Save(path); err != nil {
		t.Fatal(err)
	}
	if v := ckFileVersion(t, path); v != couplingVersion {
		t.Errorf("format version %d, want %d", v, couplingVersion)
	}
	if _, err := Resume(path, trCoupling(t, mix), nil); err == nil || !strings.Contains(err.Error(), "coupling") {
		t.Errorf("resumed on the independent coupling: %v", err)
	}
	resumed, err := Resume(path, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := resumed.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	trSameBits(t, "resumed OT", trParams(straight), trParams(resumed))
	m, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if m.Coupling().String() != "ot:16" {
		t.Errorf("loaded coupling %v", m.Coupling())
	}

	// Reuse shares the data tuples, not x_0: two steps of one period see
	// the same x_1 … x_K and different noise.
	r, err := NewTrainer(cfg, c, set)
	if err != nil {
		t.Fatal(err)
	}
	r.drawBatch()
	first := [][]float64{append([]float64(nil), r.xs[0]...), append([]float64(nil), r.xs[1]...)}
	r.step++
	r.drawBatch()
	if oracleEqual(first[0], r.xs[0]) || !oracleEqual(first[1], r.xs[1]) {
		t.Error("within a reuse period the data must repeat and the noise not")
	}

	// An independent model stays version 2 and loads as independent.
	ind, err := NewTrainer(cfg, trCoupling(t, mix), Settings{Steps: 1, Batch: 8, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	ipath := filepath.Join(dir, "ind.mmi")
	if err := ind.Save(ipath); err != nil {
		t.Fatal(err)
	}
	if v := ckFileVersion(t, ipath); v != shapelessVersion {
		t.Errorf("independent model written as version %d", v)
	}
	if _, err := Resume(ipath, c, nil); err == nil {
		t.Error("an independent run resumed on the OT coupling")
	}
	if _, err := NewTrainer(Config{Hidden: []int{4}, Coupling: marginals.CouplingSpec{Kind: marginals.KindOT}}, trCoupling(t, mix), Settings{Steps: 1, Batch: 8}); err == nil {
		t.Error("a configuration naming ot trained on the independent coupling")
	}
}

// An OT coupling whose blocks hold two batches is drawn two batches at a
// time: steps 0 and 1 train on the two halves of one draw, in order, which
// is the coupling's own draw of 64 rows from the reuse stream (so the
// tuples were assigned as one block of 64, not as two of 32); step 2 starts
// a new draw. A run resumed at step 3, inside a draw, ends bit for bit like
// the straight run.
func TestTrainOTBlockSpansBatches(t *testing.T) {
	mix := trMixtures(t)
	c := trOTCoupling(t, mix, 64)
	cfg := Config{Hidden: []int{16, 16}}
	set := Settings{Steps: 6, Batch: 32, Seed: 5}
	tr, err := NewTrainer(cfg, c, set)
	if err != nil {
		t.Fatal(err)
	}
	d := mix[0].Dim()
	want := make([][]float64, c.Len())
	for k := range want {
		want[k] = make([]float64, 64*d)
	}
	tr.coupling.Sample(want, rand.New(rand.NewPCG(set.Seed, streamReuse))) // in model coordinates
	var prev []float64
	for s := 0; s < 3; s++ {
		tr.step = s
		tr.drawBatch()
		for k := 1; k < c.Len(); k++ {
			if s < 2 && !oracleEqual(tr.xs[k], want[k][s*32*d:(s+1)*32*d]) {
				t.Fatalf("step %d, marginal %d: not batch %d of the 64-row draw", s, k, s)
			}
		}
		if s == 2 && oracleEqual(tr.xs[1], prev) {
			t.Error("step 2 repeated step 1's tuples instead of drawing anew")
		}
		prev = append(prev[:0], tr.xs[1]...)
	}

	straight, resumed := trHalfway(t, cfg, c, set, 3, filepath.Join(t.TempDir(), "half.mmi"))
	if err := resumed.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	trSameBits(t, "resumed inside a draw", trParams(straight), trParams(resumed))
}
