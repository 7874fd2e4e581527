package gk

import (
	"bytes"
	"github.com/vmihailenco/msgpack/v5"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mmi-go/mmi/internal/fuzzcheck"
	"github.com/mmi-go/mmi/marginals"
)

// The two fuzz targets read checkpoints: FuzzDecodeCheckpoint takes whole
// files, so it explores the fixed header (magic, version, checksum,
// declared payload length); FuzzCheckpointPayload takes the MessagePack
// payload and wraps it in a correct header and checksum, so that its
// mutations reach the decoding and validation of the architecture, the
// weights and the training state instead of all failing the checksum.
// Both check that reading a checkpoint (Load, then Resume on a coupling
// of the recorded shape)
//   - does not panic or hang;
//   - allocates no more than a fixed base plus a multiple of the file's
//     size, whatever sizes the file declares (a hidden layer of 10^12
//     units, a batch of 10^12 rows, a payload of 4 GiB);
//   - fails with one line;
//   - when it succeeds, gives a model that Save writes and Load reads
//     back with the same configuration and the same weights.

// ckptAllocBase covers what does not grow with the file: MessagePack's
// decoder pre-allocates up to 10^6 elements for a declared array length
// (8 MB for a []int that claims 4·10^9 entries) before it finds the data
// missing, and a resumed trainer's batch buffers and workspaces for the
// recorded batch size (at most about 2 MB for the couplings built here,
// 6 marginals of dimension ≤ 4 and a batch ≤ 4096).
const ckptAllocBase = 64 << 20

// ckptAllocPerByte: the decoded payload, the weights as floats (one
// float64 per 4 bytes of float32), the EMA, live and Adam copies of the
// weights (×4) and the round trip's encoding.
const ckptAllocPerByte = 96

// wrapPayload returns a checkpoint file holding body, with a correct
// header and checksum.
func wrapPayload(body []byte) []byte {
	return append(header(shapelessVersion, crc32.ChecksumIEEE(body), len(body)), body...)
}

// ckptSeeds returns checkpoint files of small trained models: a trainer
// (resumable) and the model alone, float64 with plain features and
// float32 with Fourier features.
func ckptSeeds(f *testing.F) [][]byte {
	dir := f.TempDir()
	var out [][]byte
	for i, cfg := range []Config{
		{Hidden: []int{4}},
		{Hidden: []int{3, 2}, Float32: true, Features: Features{Kind: FeaturesFourier, Frequencies: 2, Scale: 1}},
	} {
		tr := ckTrained(f, cfg)
		for j, save := range []func(string) error{tr.Save, tr.Model().Save} {
			path := filepath.Join(dir, string(rune('a'+2*i+j))+".mmi")
			if err := save(path); err != nil {
				f.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				f.Fatal(err)
			}
			out = append(out, b)
		}
	}
	return out
}

func FuzzDecodeCheckpoint(f *testing.F) {
	for _, b := range ckptSeeds(f) {
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Add([]byte("mmi-checkpoint"))
	f.Add([]byte{})
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) { checkCheckpoint(t, b, dir) })
}

func FuzzCheckpointPayload(f *testing.F) {
	for _, b := range ckptSeeds(f) {
		f.Add(b[headerLen:])
	}
	f.Add([]byte{0x80}) // an empty map
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, body []byte) { checkCheckpoint(t, wrapPayload(body), dir) })
}

// checkCheckpoint runs the checks above on the checkpoint file data,
// using dir for files.
func checkCheckpoint(t *testing.T, data []byte, dir string) {
	var m *Model
	var err error
	fuzzcheck.Bounded(t, fuzzcheck.Limit(len(data), ckptAllocPerByte, ckptAllocBase), func() {
		var p *checkpointPayload
		if p, err = decodeCheckpoint(data); err != nil {
			return
		}
		if m, err = p.model(p.Weights); err != nil || p.Training == nil {
			return
		}
		kk, d := m.Sizes()
		if kk > 6 || d > 4 || p.Training.Settings.Batch > 4096 {
			return // keep the coupling and batch buffers small
		}
		ms := make([]marginals.Marginal, kk)
		for k := range ms {
			ms[k] = marginals.StandardGaussian(d)
		}
		c, cerr := marginals.NewIndependent(ms...)
		if cerr != nil {
			t.Fatal(cerr)
		}
		if _, rerr := p.trainer(c, nil); rerr != nil {
			fuzzcheck.Error(t, rerr, "")
		}
	})
	if err != nil {
		fuzzcheck.Error(t, err, "")
		return
	}
	if m == nil {
		return
	}
	path := filepath.Join(dir, "back.mmi")
	if err := m.Save(path); err != nil {
		t.Fatalf("accepted model cannot be saved: %v", err)
	}
	back, err := Load(path)
	if err != nil {
		t.Fatalf("saved model does not load: %v", err)
	}
	a, b := m.Config(), back.Config()
	if a.Marginals != b.Marginals || a.Dim != b.Dim || !slices.Equal(a.Hidden, b.Hidden) || a.Float32 != b.Float32 ||
		a.Features != b.Features || a.Heads != b.Heads || a.Activation != b.Activation || !slices.Equal(a.Specs, b.Specs) {
		t.Fatalf("configuration %+v after a round trip, %+v before", b, a)
	}
	if string(floatBytes(m.eng.params())) != string(floatBytes(back.eng.params())) {
		t.Fatal("weights differ after a round trip")
	}
}

// TestCheckpointDeclaredSizes: a small checkpoint that declares sizes it
// does not hold is refused before anything is allocated for them. Each
// of these crashed before the checks: a hidden layer of 10^12 units
// (panic in makeslice), 10^12 Fourier frequencies (fatal out of memory),
// a batch of 10^12 rows on Resume (out of memory), a binary field that
// declares 4 GiB (4 GiB allocated by the MessagePack decoder).
func TestCheckpointDeclaredSizes(t *testing.T) {
	tr := ckTrained(t, Config{Hidden: []int{4}})
	dir := t.TempDir()
	path := filepath.Join(dir, "good.mmi")
	if err := tr.Save(path); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	mutate := func(f func(p *checkpointPayload)) []byte {
		p := new(checkpointPayload)
		if err := msgpack.Unmarshal(good[headerLen:], p); err != nil {
			t.Fatal(err)
		}
		f(p)
		b, err := msgpack.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		return wrapPayload(b)
	}
	c := trCoupling(t, trMixtures(t))
	for _, tc := range []struct {
		name   string
		file   []byte
		resume bool // the error comes from Resume; Load succeeds
		want   string
	}{
		{"hidden 1e12", mutate(func(p *checkpointPayload) { p.Arch.Hidden = []int{1e12} }), false,
			"hidden layer of width 1000000000000 does not fit in 196 weights"},
		{"marginals × dim overflows", mutate(func(p *checkpointPayload) { p.Arch.Marginals, p.Arch.Dim, p.Norm.Center = 1<<40, 1<<40, nil }), false,
			"want 16 frequencies × 1099511627776 marginals"},
		{"Fourier 1e12", mutate(func(p *checkpointPayload) {
			p.Arch.Features = ckptFeatures{Kind: FeaturesFourier.String(), Frequencies: 1e12, Scale: 1}
		}), false, "Fourier frequencies have 0 bytes, want 1000000000000 frequencies"},
		{"weights short", mutate(func(p *checkpointPayload) { p.Weights = p.Weights[8:] }), false,
			"layer sizes [38 4 8] need more than the 195 weights present"},
		{"batch 1e12", mutate(func(p *checkpointPayload) { p.Training.Settings.Batch = 1e12 }), true,
			"batch size 1000000000000 needs"},
		{"bin declares 4 GiB", wrapPayload([]byte{0x81, 0xa7, 'w', 'e', 'i', 'g', 'h', 't', 's', 0xc6, 0xff, 0xff, 0xff, 0xff, 0}), false,
			"payload byte 9: declares 4294967295 bytes or 0 values, only 1 bytes remain"},
		{"nested deep", wrapPayload(append(bytes.Repeat([]byte{0x81, 0xa1, 'x'}, 40), 0xc0)), false,
			"nested more than 32 deep"},
		{"trailing value", wrapPayload(append(append([]byte(nil), good[headerLen:]...), 0xc0)), false,
			"1 bytes after the payload"},
	} {
		if err := os.WriteFile(path, tc.file, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path)
		if !tc.resume {
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: Load: err = %v, want %q", tc.name, err, tc.want)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: Load: %v", tc.name, err)
		}
		if _, err := Resume(path, c, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Resume: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}
