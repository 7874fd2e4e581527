package gk

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

// ckTrained returns a trainer after a few steps, so that weights, EMA and
// Adam state all differ from their initial values.
func ckTrained(t testing.TB, cfg Config) *Trainer {
	t.Helper()
	tr := trTrainer(t, cfg, Settings{Steps: 5, Batch: 16, Seed: 4})
	if err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return tr
}

// ckWritePayload writes p as a checkpoint of format version v (a valid
// envelope and checksum, whatever the payload holds).
func ckWritePayload(t *testing.T, path string, v uint32, p *checkpointPayload) {
	t.Helper()
	body, err := msgpack.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(header(v, crc32.ChecksumIEEE(body), len(body)), body...), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Save then Load gives a model that evaluates bit for bit like the
// trained (EMA) model, with the same configuration, specs and
// normalization, for both float widths and both feature kinds; no
// temporary file is left behind.
func TestCheckpointRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, cfg := range []Config{
		{Hidden: []int{16, 16}, Specs: []string{"moons", "data/x.csv", "spec.json#2"}},
		{Hidden: []int{8}, Float32: true, Features: Features{Kind: FeaturesFourier, Frequencies: 5, Scale: 2}, Heads: HeadsDirect},
		{Hidden: []int{8}, Float32: true, Bounds: Bounds{Lo: -1, Hi: 0.5}, NoiseWeight: 0.01},
		{Hidden: []int{8}, XFeatures: XFeatures{Frequencies: 6, Scale: 3}},
	} {
		tr := ckTrained(t, cfg)
		path := filepath.Join(dir, "model.mmi")
		if err := tr.Save(path); err != nil {
			t.Fatal(err)
		}
		m, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		want := tr.Model()
		kk, d := want.Sizes()
		x := mdlRandX(100, d, rand.New(rand.NewPCG(1, 1)))
		g1, g2 := trNewG(kk, len(x)), trNewG(kk, len(x))
		for _, a := range mdlAlphas {
			want.Eval(g1, a, x)
			m.Eval(g2, a, x)
			for k := range g1 {
				for i := range g1[k] {
					if g1[k][i] != g2[k][i] {
						t.Fatalf("loaded model differs: g_%d[%d] = %v, want %v", k, i, g2[k][i], g1[k][i])
					}
				}
			}
		}
		// The live weights differ from the EMA, so Load must have picked
		// the EMA: check the live model is distinguishable.
		live := tr.LiveModel()
		live.Eval(g2, mdlAlphas[0], x)
		want.Eval(g1, mdlAlphas[0], x)
		if g1[1][0] == g2[1][0] {
			t.Error("live and EMA models agree: the EMA check has no power")
		}
		gc, wc := m.Config(), want.Config()
		if gc.Float32 != wc.Float32 || gc.Heads != wc.Heads || gc.Features != wc.Features || gc.XFeatures != wc.XFeatures || len(gc.Hidden) != len(wc.Hidden) || gc.Bounds != wc.Bounds || gc.NoiseWeight != wc.NoiseWeight {
			t.Errorf("config %+v, want %+v", gc, wc)
		}
		if strings.Join(m.Specs(), "|") != strings.Join(want.Specs(), "|") {
			t.Errorf("specs %q, want %q", m.Specs(), want.Specs())
		}
		if n, w := m.Normalization(), want.Normalization(); n.Scale != w.Scale || n.Center[0] != w.Center[0] || n.Center[1] != w.Center[1] {
			t.Errorf("normalization %+v, want %+v", n, w)
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Errorf("directory holds %d entries after Save, want 1", len(entries))
		}
	}
}

// Every corruption is refused with a clear error: a byte flipped anywhere
// (header or payload; the CRC-32 detects every single-byte error), the
// file truncated at any length, bytes appended, another file format, a
// newer format version. A model saved without training state loads but
// does not resume.
func TestCheckpointCorruption(t *testing.T) {
	dir := t.TempDir()
	tr := ckTrained(t, Config{Hidden: []int{4}})
	path := filepath.Join(dir, "model.mmi")
	if err := tr.Save(path); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.mmi")
	try := func(what string, data []byte, want error) {
		t.Helper()
		if err := os.WriteFile(bad, data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(bad)
		if err == nil {
			t.Fatalf("%s: Load succeeded", what)
		}
		if want != nil && !errors.Is(err, want) {
			t.Fatalf("%s: error %v, want %v", what, err, want)
		}
		if _, err := Resume(bad, trCoupling(t, trMixtures(t)), nil); err == nil {
			t.Fatalf("%s: Resume succeeded", what)
		}
	}
	r := rand.New(rand.NewPCG(2, 2))
	positions := []int{}
	for i := 0; i < headerLen+8; i++ {
		positions = append(positions, i)
	}
	for len(positions) < 300 {
		positions = append(positions, r.IntN(len(good)))
	}
	for _, i := range positions {
		data := append([]byte(nil), good...)
		data[i] ^= 1 << r.IntN(8)
		try("flipped byte", data, nil)
	}
	for _, n := range []int{0, 5, headerLen - 1, headerLen, headerLen + 1, len(good) / 2, len(good) - 1} {
		try("truncated", good[:n], nil)
	}
	try("truncated payload", good[:len(good)-10], ErrCorruptCheckpoint)
	try("trailing bytes", append(append([]byte(nil), good...), 0), ErrCorruptCheckpoint)
	try("flipped payload", func() []byte {
		d := append([]byte(nil), good...)
		d[len(d)-3] ^= 0x10
		return d
	}(), ErrCorruptCheckpoint)
	try("text file", []byte("x,y\n1,2\n"), ErrNotCheckpoint)
	foreign, _ := msgpack.Marshal(map[string]any{"weights": []float64{1, 2}})
	try("foreign msgpack", foreign, ErrNotCheckpoint)
	newer := append([]byte(nil), good...)
	newer[2+len(checkpointMagic)+4] = CheckpointVersion + 1
	if err := os.WriteFile(bad, newer, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bad); err == nil || !strings.Contains(err.Error(), "version") {
		t.Errorf("newer version: error %v, want a version error", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.mmi")); err == nil {
		t.Error("missing file: no error")
	}

	// The envelope is plain MessagePack: a generic decoder reads it.
	var env []any
	if err := msgpack.Unmarshal(good, &env); err != nil || len(env) != 4 || env[0] != checkpointMagic {
		t.Errorf("generic decoding of the envelope: %v, %v", env, err)
	}

	mpath := filepath.Join(dir, "model-only.mmi")
	if err := tr.Model().Save(mpath); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(mpath); err != nil {
		t.Errorf("model-only checkpoint: %v", err)
	}
	if _, err := Resume(mpath, trCoupling(t, trMixtures(t)), nil); err == nil || !strings.Contains(err.Error(), "cannot be resumed") {
		t.Errorf("resuming a model-only checkpoint: %v", err)
	}
	if !bytes.HasPrefix(good, []byte{0x94}) {
		t.Error("checkpoint does not start with a MessagePack fixarray(4)")
	}
}

// A model with a sample shape is written as format version 3 and loads
// with it; one without is written as version 2, which older builds read,
// and its payload is the same but for the shape; a shape that does not
// multiply to the dimension is refused.
func TestCheckpointShapeVersion(t *testing.T) {
	dir := t.TempDir()
	version := func(path string) uint32 {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		h := b[2+len(checkpointMagic):]
		return uint32(h[1])<<24 | uint32(h[2])<<16 | uint32(h[3])<<8 | uint32(h[4])
	}
	for _, c := range []struct {
		shape   []int
		version uint32
	}{{nil, 2}, {[]int{1, 2, 1}, 3}, {[]int{2, 1, 1}, 3}} {
		tr := ckTrained(t, Config{Hidden: []int{8}, Shape: c.shape})
		path := filepath.Join(dir, "m.mmi")
		if err := tr.Model().Save(path); err != nil {
			t.Fatal(err)
		}
		if v := version(path); v != c.version {
			t.Errorf("shape %v: version %d, want %d", c.shape, v, c.version)
		}
		m, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Shape(); fmt.Sprint(got) != fmt.Sprint(c.shape) || (got == nil) != (c.shape == nil) {
			t.Errorf("shape %v loads as %v", c.shape, got)
		}
	}
	if _, err := NewTrainer(Config{Shape: []int{2, 2, 1}}, trCoupling(t, trMixtures(t)), Settings{Steps: 1}); err == nil || !strings.Contains(err.Error(), "sample shape [2 2 1]") {
		t.Errorf("a shape of 4 values for dimension 2: %v", err)
	}
}

// ckWantLoad writes payload p as format version v to file and loads it:
// want "" expects success, otherwise an error that mentions want.
func ckWantLoad(t *testing.T, name, file string, v uint32, p *checkpointPayload, want string) {
	t.Helper()
	ckWritePayload(t, file, v, p)
	_, err := Load(file)
	switch {
	case want == "" && err != nil:
		t.Errorf("%s: %v", name, err)
	case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
		t.Errorf("%s: error %v, want one about %q", name, err, want)
	}
}
