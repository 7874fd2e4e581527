package gk

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/mmi-go/mmi/internal/atomicfile"
	"github.com/mmi-go/mmi/marginals"
	"github.com/mmi-go/mmi/nn"
	"github.com/mmi-go/mmi/simplex"
)

// CheckpointVersion is the newest format version this build writes. It
// reads versions 1 to 3: version 2 added the data bounds (Config.Bounds)
// and the weight of the noise head (Config.NoiseWeight), which a version-1
// reader would silently ignore, so such a reader must refuse the file;
// version-1 files have neither. Version 3 added the shape of a sample
// (Config.Shape, images of H×W×C); only a model with a shape is written as
// version 3. Version 4 adds the coupling (Config.Coupling): a model trained
// on a coupling other than the independent one is written as version 4
// (an older reader would take it for independent), with or without a
// shape. Every other model is written as version 2, byte for byte as
// before, so that builds that read version 2 still read it; files without
// a coupling load as independent. Version 5 adds the network kind and the
// U-Net's widths (Config.Net, Config.UNet), written only for a U-Net (with
// or without a coupling). Version 6 adds the Fourier features of x
// (Config.XFeatures), written only for a model that has them (an older
// reader would build a network of the wrong input width). Version 7 adds
// the preconditioning by the marginals' scales (Config.Precondition),
// written only for a model that has it (an older reader would feed the
// network the wrong inputs). Version 8 adds the U-Net's residual blocks
// per level (Config.UNet.Blocks), written only for a U-Net of more than
// one (an older reader would build a shallower network).
const CheckpointVersion = blocksVersion

// shapelessVersion is the version written for a model without a Shape
// or a coupling.
const shapelessVersion = 2

// shapeVersion is the version of a model with a Shape and no coupling.
const shapeVersion = 3

// couplingVersion is the version of an MLP with a coupling.
const couplingVersion = 4

// unetVersion is the version of a U-Net.
const unetVersion = 5

// xFeaturesVersion is the version of an MLP with Fourier features of x.
const xFeaturesVersion = 6

// preconditionVersion is the version of an MLP with Precondition.
const preconditionVersion = 7

// blocksVersion is the version of a U-Net of more than one block per level.
const blocksVersion = 8

// oldestCheckpointVersion is the oldest format version this build reads.
const oldestCheckpointVersion = 1

// checkpointMagic opens every checkpoint.
const checkpointMagic = "mmi-checkpoint"

// ErrNotCheckpoint is returned (wrapped) by Load and Resume for a file that
// does not start like an mmi checkpoint.
var ErrNotCheckpoint = errors.New("not an mmi checkpoint")

// ErrCorruptCheckpoint is returned (wrapped) for a checkpoint that is
// truncated, has trailing bytes or fails its checksum.
var ErrCorruptCheckpoint = errors.New("corrupt or truncated mmi checkpoint")

// A checkpoint file is one MessagePack array of four elements, so generic
// MessagePack tools can read it:
//
//	[ "mmi-checkpoint" (str), version (uint32), CRC-32 (IEEE) of the payload
//	  (uint32), payload (bin32) ]
//
// The header is written with fixed-width encodings (fixarray, fixstr,
// uint32, uint32, bin32), so it is always the same 31 bytes and its fields
// are checked before anything is decoded. The payload is the MessagePack
// map of checkpointPayload; float vectors are little-endian binary blobs.
const headerLen = 1 + 1 + len(checkpointMagic) + 5 + 5 + 5

func header(version, crc uint32, n int) []byte {
	h := make([]byte, 0, headerLen)
	h = append(h, 0x94, 0xa0|byte(len(checkpointMagic)))
	h = append(h, checkpointMagic...)
	h = append(h, 0xce)
	h = binary.BigEndian.AppendUint32(h, version)
	h = append(h, 0xce)
	h = binary.BigEndian.AppendUint32(h, crc)
	h = append(h, 0xc6)
	return binary.BigEndian.AppendUint32(h, uint32(n))
}

type ckptFeatures struct {
	Kind        string  `msgpack:"kind"`
	Frequencies int     `msgpack:"frequencies"`
	Scale       float64 `msgpack:"scale"`
	B           []byte  `msgpack:"b"` // float64 LE, M×(K+1)
}

// ckptXFeatures records Config.XFeatures and its matrix B (version 6).
type ckptXFeatures struct {
	Frequencies int     `msgpack:"frequencies"`
	Scale       float64 `msgpack:"scale"`
	B           []byte  `msgpack:"b"` // float64 LE, M×d
}

// ckptPrecondition records Config.Precondition (version 7).
type ckptPrecondition struct {
	Means  []byte `msgpack:"means"`  // float64 LE, (K+1)×d
	Scales []byte `msgpack:"scales"` // float64 LE, K+1
}

type ckptArch struct {
	Marginals  int          `msgpack:"marginals"`
	Dim        int          `msgpack:"dim"`
	Sizes      []int        `msgpack:"sizes"` // full layer sizes, for inspection
	Hidden     []int        `msgpack:"hidden"`
	Activation string       `msgpack:"activation"`
	Float      string       `msgpack:"float"` // "float32" or "float64"
	Features   ckptFeatures `msgpack:"features"`
	Heads      string       `msgpack:"heads"`
	// Bounds is [Lo, Hi] of Config.Bounds, empty for none (version 2).
	Bounds []float64 `msgpack:"bounds,omitempty"`
	// NoiseWeight is Config.NoiseWeight, 0 for the default (version 2).
	NoiseWeight float64 `msgpack:"noise_weight,omitempty"`
	// Domain is simplex.Domain.String() ("ball", "ball(1.5)"); empty for
	// the simplex, so files written before it existed load as simplex
	// models.
	Domain string `msgpack:"domain,omitempty"`
	// Coupling is marginals.CouplingSpec.String() ("ot", "ot:128"); empty
	// for the independent coupling (version 3; files without it are
	// independent).
	Coupling string `msgpack:"coupling,omitempty"`
	// Shape is Config.Shape, empty for none (version 3).
	Shape []int `msgpack:"shape,omitempty"`
	// Net is "unet" for a U-Net and empty for the MLP (version 5).
	Net string `msgpack:"net,omitempty"`
	// UNet holds the U-Net's widths (version 5).
	UNet *ckptUNet `msgpack:"unet,omitempty"`
	// XFeatures holds the Fourier features of x, nil for none (version 6).
	XFeatures *ckptXFeatures `msgpack:"x_features,omitempty"`
	// Precondition holds the preconditioning, nil for none (version 7).
	Precondition *ckptPrecondition `msgpack:"precondition,omitempty"`
}

type ckptUNet struct {
	Widths []int `msgpack:"widths"`
	Embed  int   `msgpack:"embed"`
	Groups int   `msgpack:"groups"`
	Blocks int   `msgpack:"blocks,omitempty"` // version 8; absent means 1
}

// version is the format version a payload is written in: the oldest that
// holds everything in it.
func (p *checkpointPayload) version() uint32 {
	switch {
	case p.Arch.UNet != nil && p.Arch.UNet.Blocks > 1:
		return blocksVersion
	case p.Arch.Precondition != nil:
		return preconditionVersion
	case p.Arch.XFeatures != nil:
		return xFeaturesVersion
	case p.Arch.Net != "":
		return unetVersion
	case p.Arch.Coupling != "":
		return couplingVersion
	case p.Arch.Shape != nil:
		return shapeVersion
	}
	return shapelessVersion
}

type ckptNorm struct {
	Center []byte  `msgpack:"center"` // float64 LE, d numbers or empty
	Scale  float64 `msgpack:"scale"`
}

type ckptAdam struct {
	Beta1 float64 `msgpack:"beta1"`
	Beta2 float64 `msgpack:"beta2"`
	Eps   float64 `msgpack:"eps"`
	M     []byte  `msgpack:"m"`
	V     []byte  `msgpack:"v"`
	Step  int     `msgpack:"step"`
}

type ckptSettings struct {
	Steps           int           `msgpack:"steps"`
	Batch           int           `msgpack:"batch"`
	LR              float64       `msgpack:"lr"`
	Warmup          int           `msgpack:"warmup"`
	Schedule        int           `msgpack:"schedule"`
	FinalLR         float64       `msgpack:"final_lr"`
	Clip            float64       `msgpack:"clip"`
	EMA             float64       `msgpack:"ema"`
	Seed            uint64        `msgpack:"seed"`
	Alpha           []float64     `msgpack:"alpha"` // interior, faces, edges, vertices[, edge beta, data edges]
	CustomAlpha     string        `msgpack:"custom_alpha,omitempty"`
	CheckpointEvery time.Duration `msgpack:"checkpoint_every"`
	RecordEvery     int           `msgpack:"record_every"`
	NormSamples     int           `msgpack:"norm_samples"`
	// HeadLoss is "raw" or "projected" (Settings.LossThroughProjection);
	// files written before it existed trained projected heads through the
	// projection.
	HeadLoss string `msgpack:"head_loss,omitempty"`
	// Reuse is Settings.Reuse; 0 (absent in older files) draws every step.
	Reuse int `msgpack:"reuse,omitempty"`
	// HeadWeightFloor is Settings.HeadWeightFloor; 0 (absent in older
	// files) weighs every head alike.
	HeadWeightFloor float64 `msgpack:"head_weight_floor,omitempty"`
	// NormFit is Settings.Norm: "" (pooled, and every older file) or
	// "within".
	NormFit string `msgpack:"norm_fit,omitempty"`
}

type ckptTraining struct {
	Params   []byte       `msgpack:"params"` // live weights
	Adam     ckptAdam     `msgpack:"adam"`
	Step     int          `msgpack:"step"`
	RNG      []byte       `msgpack:"rng"` // rand.PCG MarshalBinary
	Settings ckptSettings `msgpack:"settings"`
}

type checkpointPayload struct {
	Arch  ckptArch `msgpack:"arch"`
	Specs []string `msgpack:"specs"` // data marginals 1 … K as given
	// DataHashes: content hashes of the data files (Config.DataHashes);
	// omitted when none were given, so older readers skip them and
	// checkpoints of built-in data keep their bytes.
	DataHashes []string `msgpack:"data_hashes,omitempty"`
	Norm       ckptNorm `msgpack:"norm"`
	// Weights are the weights a loaded Model evaluates with: the EMA
	// weights of a trainer.
	Weights  []byte        `msgpack:"weights"`
	Training *ckptTraining `msgpack:"training,omitempty"`
	// No wall-clock time is stored: the same training with the same seed
	// writes the same bytes (earlier versions wrote a "saved" time, which
	// the decoder skips as an unknown field).
}

// floatBytes encodes a []float32 or []float64 as little-endian bytes.
func floatBytes(v any) []byte {
	switch x := v.(type) {
	case []float32:
		b := make([]byte, 0, 4*len(x))
		for _, f := range x {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(f))
		}
		return b
	case []float64:
		b := make([]byte, 0, 8*len(x))
		for _, f := range x {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
		}
		return b
	}
	panic(fmt.Sprintf("gk: floatBytes of %T", v))
}

// setFloats decodes b into dst ([]float32 or []float64), which must have
// exactly the matching length. Every number must be finite: a checkpoint
// with a NaN weight passes its checksum but would turn every sample into
// NaN.
func setFloats(dst any, b []byte, what string) error {
	switch x := dst.(type) {
	case []float32:
		if len(b) != 4*len(x) {
			return fmt.Errorf("%s has %d bytes, want %d float32", what, len(b), len(x))
		}
		for i := range x {
			x[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
			if v := float64(x[i]); math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%s: entry %d is %v, not a finite number", what, i, v)
			}
		}
		return nil
	case []float64:
		if len(b) != 8*len(x) {
			return fmt.Errorf("%s has %d bytes, want %d float64", what, len(b), len(x))
		}
		for i := range x {
			x[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
			if math.IsNaN(x[i]) || math.IsInf(x[i], 0) {
				return fmt.Errorf("%s: entry %d is %v, not a finite number", what, i, x[i])
			}
		}
		return nil
	}
	panic(fmt.Sprintf("gk: setFloats into %T", dst))
}

func (m *Model) payload() *checkpointPayload {
	c := m.cfg
	float := "float64"
	if m.eng.float32() {
		float = "float32"
	}
	var bounds []float64
	if !c.Bounds.IsZero() {
		bounds = []float64{c.Bounds.Lo, c.Bounds.Hi}
	}
	p := &checkpointPayload{
		Arch: ckptArch{
			Bounds:      bounds,
			NoiseWeight: c.NoiseWeight,
			Marginals:   c.Marginals, Dim: c.Dim,
			Sizes:      c.sizes(m.featDim()),
			Hidden:     c.Hidden,
			Activation: c.Activation.String(),
			Float:      float,
			Features: ckptFeatures{
				Kind: c.Features.Kind.String(), Frequencies: c.Features.Frequencies,
				Scale: c.Features.Scale, B: floatBytes(m.feat.b),
			},
			Heads:  c.Heads.String(),
			Domain: domainName(c.Domain),
			Shape:  c.Shape,
		},
		Specs:      c.Specs,
		DataHashes: c.DataHashes,
		Norm:       ckptNorm{Center: floatBytes(c.Norm.Center), Scale: c.Norm.Scale},
		Weights:    floatBytes(m.eng.params()),
	}
	if !c.Coupling.IsIndependent() {
		p.Arch.Coupling = c.Coupling.String()
	}
	if m.xf != nil {
		p.Arch.XFeatures = &ckptXFeatures{Frequencies: c.XFeatures.Frequencies, Scale: c.XFeatures.Scale, B: floatBytes(m.xf.b)}
	}
	if m.pc != nil {
		p.Arch.Precondition = &ckptPrecondition{Means: floatBytes(m.pc.mean), Scales: floatBytes(m.pc.scale)}
	}
	if c.Net == NetUNet {
		p.Arch.Net = c.Net.String()
		p.Arch.Sizes, p.Arch.Hidden, p.Arch.Activation = nil, nil, ""
		p.Arch.UNet = &ckptUNet{Widths: c.UNet.Widths, Embed: c.UNet.Embed, Groups: c.UNet.Groups}
		if c.UNet.Blocks > 1 {
			p.Arch.UNet.Blocks = c.UNet.Blocks
		}
	}
	return p
}

// Save writes the model alone (no training state: it cannot be resumed)
// to path, atomically.
func (m *Model) Save(path string) error { return writeCheckpoint(path, m.payload()) }

// Save writes the trainer's whole state to path atomically: a temporary
// file in the same directory is written, synced and renamed over path, so
// a crash leaves either the old or the new checkpoint.
func (t *Trainer) Save(path string) error {
	m, v, step := t.opt.adam()
	for _, x := range []struct {
		what string
		v    any
	}{{"weights", t.live.params()}, {"Adam moments", m}, {"Adam moments", v}} {
		if i, bad := firstNonFinite(x.v); i >= 0 {
			// A step with a finite loss can still overflow the
			// weights; writing them would replace the last good
			// checkpoint with one that cannot be loaded.
			return fmt.Errorf("%w: %s entry %d is %v at step %d; %s is left as it was", ErrNonFiniteLoss, x.what, i, bad, t.step, path)
		}
	}
	p := t.model.payload()
	rng, err := t.rngState().MarshalBinary()
	if err != nil {
		return fmt.Errorf("gk: saving random state: %w", err)
	}
	s := t.set
	cs := ckptSettings{
		Steps: s.Steps, Batch: s.Batch, LR: s.LR, Warmup: s.Warmup, Schedule: int(s.Schedule),
		FinalLR: s.FinalLR, Clip: s.Clip, EMA: s.EMA, Seed: s.Seed,
		Alpha:           []float64{s.Alpha.Interior, s.Alpha.Faces, s.Alpha.Edges, s.Alpha.Vertices, s.Alpha.EdgeBeta, s.Alpha.DataEdges},
		CheckpointEvery: s.CheckpointEvery, RecordEvery: s.RecordEvery, NormSamples: s.NormSamples,
		HeadLoss: "raw", Reuse: s.Reuse, HeadWeightFloor: s.HeadWeightFloor,
	}
	if s.Norm != NormPooled {
		cs.NormFit = s.Norm.String()
	}
	if s.LossThroughProjection {
		cs.HeadLoss = "projected"
	}
	if t.custom {
		cs.CustomAlpha = fmt.Sprintf("%T", t.alpha)
	}
	p.Training = &ckptTraining{
		Params: floatBytes(t.live.params()),
		Adam: ckptAdam{
			Beta1: 0.9, Beta2: 0.999, Eps: 1e-8,
			M: floatBytes(m), V: floatBytes(v), Step: step,
		},
		Step: t.step, RNG: rng, Settings: cs,
	}
	if a := t.adamHyper(); a != nil {
		p.Training.Adam.Beta1, p.Training.Adam.Beta2, p.Training.Adam.Eps = a[0], a[1], a[2]
	}
	if err := writeCheckpoint(path, p); err != nil {
		return err
	}
	t.savedStep = t.step
	return nil
}

func (t *Trainer) adamHyper() []float64 {
	switch o := t.opt.(type) {
	case *optState[float32]:
		return []float64{o.opt.Beta1, o.opt.Beta2, o.opt.Eps}
	case *optState[float64]:
		return []float64{o.opt.Beta1, o.opt.Beta2, o.opt.Eps}
	}
	return nil
}

func writeCheckpoint(path string, p *checkpointPayload) error {
	body, err := msgpack.Marshal(p)
	if err != nil {
		return fmt.Errorf("gk: encoding checkpoint: %w", err)
	}
	if len(body) > math.MaxUint32 {
		return fmt.Errorf("gk: checkpoint payload of %d bytes exceeds 4 GiB", len(body))
	}
	err = atomicfile.Write(path, func(w io.Writer) error {
		_, err := w.Write(header(p.version(), crc32.ChecksumIEEE(body), len(body)))
		if err == nil {
			_, err = w.Write(body)
		}
		if err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("gk: checkpoint: %w", err)
	}
	return nil
}

// readCheckpoint reads and verifies path and decodes its payload.
func readCheckpoint(path string) (*checkpointPayload, error) {
	data, err := atomicfile.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("gk: %w", err)
	}
	p, err := decodeCheckpoint(data)
	if err != nil {
		return nil, fmt.Errorf("gk: %s: %w", path, err)
	}
	return p, nil
}

func decodeCheckpoint(data []byte) (*checkpointPayload, error) {
	magic := header(0, 0, 0)[:2+len(checkpointMagic)]
	if len(data) < len(magic) || !bytes.Equal(data[:len(magic)], magic) {
		return nil, ErrNotCheckpoint
	}
	if len(data) < headerLen {
		return nil, fmt.Errorf("%w: %d bytes, shorter than the %d-byte header", ErrCorruptCheckpoint, len(data), headerLen)
	}
	h := data[len(magic):headerLen]
	if h[0] != 0xce || h[5] != 0xce || h[10] != 0xc6 {
		return nil, fmt.Errorf("%w: malformed header", ErrCorruptCheckpoint)
	}
	version := binary.BigEndian.Uint32(h[1:])
	if version < oldestCheckpointVersion || version > CheckpointVersion {
		return nil, fmt.Errorf("checkpoint format version %d, this build reads versions %d to %d", version, oldestCheckpointVersion, CheckpointVersion)
	}
	crc := binary.BigEndian.Uint32(h[6:])
	n := int64(binary.BigEndian.Uint32(h[11:]))
	body := data[headerLen:]
	switch {
	case int64(len(body)) < n:
		return nil, fmt.Errorf("%w: payload has %d of %d bytes (truncated)", ErrCorruptCheckpoint, len(body), n)
	case int64(len(body)) > n:
		return nil, fmt.Errorf("%w: %d bytes after the payload", ErrCorruptCheckpoint, int64(len(body))-n)
	}
	if got := crc32.ChecksumIEEE(body); got != crc {
		return nil, fmt.Errorf("%w: checksum %08x, header says %08x", ErrCorruptCheckpoint, got, crc)
	}
	if err := checkPayload(body); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorruptCheckpoint, err)
	}
	p := new(checkpointPayload)
	if err := msgpack.Unmarshal(body, p); err != nil {
		return nil, fmt.Errorf("%w: decoding payload: %v", ErrCorruptCheckpoint, err)
	}
	// A file is written in the version its content calls for (version 7
	// with preconditioning, 6 with Fourier features of x, 5 for a U-Net, 4 for an MLP with a
	// coupling, 3 with a shape and no coupling, 2 otherwise; version 1
	// files have what version 2 has).
	if v, want := binary.BigEndian.Uint32(h[1:]), p.version(); v != want && (v != 1 || want != shapelessVersion) {
		return nil, fmt.Errorf("%w: format version %d with sample shape %v, coupling %q, network %q, features of x %v and preconditioning %v",
			ErrCorruptCheckpoint, v, p.Arch.Shape, p.Arch.Coupling, p.Arch.Net, p.Arch.XFeatures != nil, p.Arch.Precondition != nil)
	}
	return p, nil
}

// config returns the Precondition a file records (off for nil); the
// sizes are checked by Config.validate.
func (c *ckptPrecondition) config() (Precondition, error) {
	if c == nil {
		return Precondition{}, nil
	}
	means, err := decodeFloat64s(c.Means, "preconditioning means")
	if err != nil {
		return Precondition{}, err
	}
	scales, err := decodeFloat64s(c.Scales, "preconditioning scales")
	if err != nil {
		return Precondition{}, err
	}
	if means == nil || scales == nil {
		return Precondition{}, errors.New("preconditioning without its means and scales")
	}
	return Precondition{On: true, Means: means, Scales: scales}, nil
}

func parseFeatureKind(s string) (FeatureKind, error) {
	for _, k := range []FeatureKind{FeaturesPlain, FeaturesFourier} {
		if k.String() == s {
			return k, nil
		}
	}
	return 0, fmt.Errorf("unknown feature kind %q", s)
}

func parseHeads(s string) (Heads, error) {
	for _, h := range []Heads{HeadsProjected, HeadsDirect} {
		if h.String() == s {
			return h, nil
		}
	}
	return 0, fmt.Errorf("unknown head layout %q", s)
}

func decodeFloat64s(b []byte, what string) ([]float64, error) {
	if len(b) == 0 {
		return nil, nil
	}
	if len(b)%8 != 0 {
		return nil, fmt.Errorf("%s has %d bytes, not a multiple of 8", what, len(b))
	}
	x := make([]float64, len(b)/8)
	return x, setFloats(x, b, what)
}

// model rebuilds the Model of a payload with the given weights (a blob of
// the network's float width).
func (p *checkpointPayload) model(weights []byte) (*Model, error) {
	a := p.Arch
	cfg := Config{Marginals: a.Marginals, Dim: a.Dim, Hidden: a.Hidden, Specs: p.Specs, DataHashes: p.DataHashes, Shape: a.Shape}
	if cfg.Hidden == nil {
		cfg.Hidden = []int{}
	}
	var err error
	if a.Net == "" {
		cfg.Net = NetMLP
		if cfg.Activation, err = nn.ParseActivation(a.Activation); err != nil {
			return nil, err
		}
	} else {
		if cfg.Net, err = ParseNetwork(a.Net); err != nil {
			return nil, err
		}
		if cfg.Net != NetUNet || a.UNet == nil || a.Shape == nil {
			return nil, fmt.Errorf("network %q without its shape and widths", a.Net)
		}
		u := a.UNet
		if u.Widths == nil {
			u.Widths = []int{}
		}
		cfg.UNet = UNet{Widths: u.Widths, Embed: u.Embed, Groups: u.Groups, Blocks: u.Blocks}
	}
	switch a.Float {
	case "float32":
		cfg.Float32 = true
	case "float64":
	default:
		return nil, fmt.Errorf("unknown float width %q", a.Float)
	}
	if cfg.Features.Kind, err = parseFeatureKind(a.Features.Kind); err != nil {
		return nil, err
	}
	cfg.Features.Frequencies, cfg.Features.Scale = a.Features.Frequencies, a.Features.Scale
	nXB := 0
	if x := a.XFeatures; x != nil {
		if x.Frequencies < 1 {
			return nil, fmt.Errorf("Fourier features of x with %d frequencies", x.Frequencies)
		}
		cfg.XFeatures, nXB = XFeatures{Frequencies: x.Frequencies, Scale: x.Scale}, len(x.B)
	}
	if cfg.Heads, err = parseHeads(a.Heads); err != nil {
		return nil, err
	}
	if a.Domain != "" {
		if cfg.Domain, err = simplex.ParseDomain(a.Domain); err != nil {
			return nil, err
		}
	}
	if a.Coupling != "" {
		if cfg.Coupling, err = marginals.ParseCouplingSpec(a.Coupling); err != nil {
			return nil, err
		}
	}
	if cfg.Norm.Center, err = decodeFloat64s(p.Norm.Center, "normalization center"); err != nil {
		return nil, err
	}
	cfg.Norm.Scale = p.Norm.Scale
	if cfg.Precondition, err = a.Precondition.config(); err != nil {
		return nil, err
	}
	cfg.NoiseWeight = a.NoiseWeight
	switch len(a.Bounds) {
	case 0:
	case 2:
		cfg.Bounds = Bounds{Lo: a.Bounds[0], Hi: a.Bounds[1]}
	default:
		return nil, fmt.Errorf("data bounds have %d numbers, want 2", len(a.Bounds))
	}
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := checkDeclaredSizes(cfg, len(a.Features.B), nXB, len(weights)); err != nil {
		return nil, err
	}
	feat := &alphaFeatures{n: cfg.Marginals, kind: cfg.Features.Kind}
	if cfg.Features.Kind == FeaturesFourier {
		feat.b = make([]float64, cfg.Features.Frequencies*cfg.Marginals)
		if err := setFloats(feat.b, a.Features.B, "Fourier frequencies"); err != nil {
			return nil, err
		}
	}
	var xf *xFeatures
	if cfg.XFeatures.On() {
		xf = &xFeatures{d: cfg.Dim, b: make([]float64, cfg.XFeatures.Frequencies*cfg.Dim)}
		if err := setFloats(xf.b, a.XFeatures.B, "Fourier frequencies of x"); err != nil {
			return nil, err
		}
	}
	// The initial draw is overwritten; any generator will do.
	eng := newNetEngine(cfg, feat.dim()+xf.dim(), rand.New(rand.NewPCG(0, 0)))
	if err := setFloats(eng.params(), weights, "weights"); err != nil {
		return nil, err
	}
	return newModel(cfg, feat, xf, eng), nil
}

// Load reads a checkpoint written by Trainer.Save or Model.Save and returns
// its model, evaluated with the weights generation uses (the EMA weights of
// a trainer). It refuses files that are not mmi checkpoints, have another
// format version, are truncated or fail their checksum.
func Load(path string) (*Model, error) {
	p, err := readCheckpoint(path)
	if err != nil {
		return nil, err
	}
	m, err := p.model(p.Weights)
	if err != nil {
		return nil, fmt.Errorf("gk: %s: %w", path, err)
	}
	return m, nil
}

// Resume reads a checkpoint written by Trainer.Save and returns a trainer
// that continues it on the coupling c (in data coordinates, the same
// marginals as the original run). alpha must be given again if the run
// used Settings.AlphaSampler; nil means the recorded AlphaMix. Path and
// Recorder of the returned trainer are unset.
func Resume(path string, c marginals.Coupling, alpha simplex.Sampler) (*Trainer, error) {
	p, err := readCheckpoint(path)
	if err != nil {
		return nil, err
	}
	t, err := p.trainer(c, alpha)
	if err != nil {
		return nil, fmt.Errorf("gk: %s: %w", path, err)
	}
	return t, nil
}

func (p *checkpointPayload) trainer(c marginals.Coupling, alpha simplex.Sampler) (*Trainer, error) {
	tr := p.Training
	if tr == nil {
		return nil, errors.New("checkpoint holds a model without training state; it cannot be resumed")
	}
	m, err := p.model(p.Weights)
	if err != nil {
		return nil, err
	}
	if c.Len() != m.cfg.Marginals || c.Dim() != m.cfg.Dim {
		return nil, fmt.Errorf("checkpoint has %d marginals of dimension %d, coupling %d of dimension %d", m.cfg.Marginals, m.cfg.Dim, c.Len(), c.Dim())
	}
	if spec, ok := marginals.SpecOf(c); ok && !spec.Same(m.cfg.Coupling) {
		return nil, fmt.Errorf("the run was trained on the %s coupling, Resume was given %s", m.cfg.Coupling, spec)
	}
	live := m.eng.clone()
	if err := setFloats(live.params(), tr.Params, "live weights"); err != nil {
		return nil, err
	}
	cs := tr.Settings
	if len(cs.Alpha) != 4 && len(cs.Alpha) != 6 {
		return nil, fmt.Errorf("α mixture has %d weights, want 4 or 6", len(cs.Alpha))
	}
	alphaMix := AlphaMix{Interior: cs.Alpha[0], Faces: cs.Alpha[1], Edges: cs.Alpha[2], Vertices: cs.Alpha[3]}
	if len(cs.Alpha) == 6 { // written since the edge refinements (older files: uniform edges)
		alphaMix.EdgeBeta, alphaMix.DataEdges = cs.Alpha[4], cs.Alpha[5]
	}
	set := Settings{
		Steps: cs.Steps, Batch: cs.Batch, LR: cs.LR, Warmup: cs.Warmup, Schedule: Schedule(cs.Schedule),
		FinalLR: cs.FinalLR, Clip: cs.Clip, EMA: cs.EMA, Seed: cs.Seed,
		Alpha:           alphaMix,
		CheckpointEvery: cs.CheckpointEvery, RecordEvery: cs.RecordEvery, NormSamples: cs.NormSamples,
		AlphaSampler: alpha, Reuse: cs.Reuse, HeadWeightFloor: cs.HeadWeightFloor,
	}
	switch cs.HeadLoss {
	case "", "projected": // "": written before raw-head losses existed
		set.LossThroughProjection = true
	case "raw":
	default:
		return nil, fmt.Errorf("unknown head loss %q", cs.HeadLoss)
	}
	if cs.NormFit != "" {
		f, err := ParseNormFit(cs.NormFit)
		if err != nil {
			return nil, err
		}
		set.Norm = f
	}
	switch got := fmt.Sprintf("%T", alpha); {
	case cs.CustomAlpha != "" && alpha == nil:
		return nil, fmt.Errorf("the run used a custom α sampler (%s); pass it to Resume", cs.CustomAlpha)
	case cs.CustomAlpha == "" && alpha != nil:
		return nil, fmt.Errorf("the run used the built-in α mixture, Resume was given the sampler %s", got)
	case alpha != nil && got != cs.CustomAlpha:
		return nil, fmt.Errorf("the run used the α sampler %s, Resume was given %s", cs.CustomAlpha, got)
	}
	if err := set.validate(); err != nil {
		return nil, err
	}
	if err := checkBatchMemory(set.Batch, m.cfg.Marginals, m.cfg.Dim, m.cfg.memorySizes(m.featDim())); err != nil {
		return nil, err
	}
	opt := newOptimizer(live, m.eng)
	mv, vv, _ := opt.adam()
	if err := setFloats(mv, tr.Adam.M, "Adam first moments"); err != nil {
		return nil, err
	}
	if err := setFloats(vv, tr.Adam.V, "Adam second moments"); err != nil {
		return nil, err
	}
	opt.setAdamStep(tr.Adam.Step)
	switch o := opt.(type) {
	case *optState[float32]:
		o.opt.Beta1, o.opt.Beta2, o.opt.Eps = tr.Adam.Beta1, tr.Adam.Beta2, tr.Adam.Eps
	case *optState[float64]:
		o.opt.Beta1, o.opt.Beta2, o.opt.Eps = tr.Adam.Beta1, tr.Adam.Beta2, tr.Adam.Eps
	}
	pcg := new(rand.PCG)
	if err := pcg.UnmarshalBinary(tr.RNG); err != nil {
		return nil, fmt.Errorf("random state: %w", err)
	}
	if tr.Step < 0 {
		return nil, fmt.Errorf("step %d", tr.Step)
	}
	t, err := newTrainer(m, live, opt, c, set, pcg, tr.Step)
	if err != nil {
		return nil, err
	}
	t.savedStep = tr.Step
	return t, nil
}

// domainName is the checkpoint's name of a domain: empty for the simplex
// (the format before domains existed).
func domainName(d simplex.Domain) string {
	if d.Kind == simplex.KindSimplex {
		return ""
	}
	return d.String()
}

// firstNonFinite returns the index and value of the first NaN or infinite
// entry of a []float32 or []float64, or −1.
func firstNonFinite(v any) (int, float64) {
	switch x := v.(type) {
	case []float32:
		for i, f := range x {
			if g := float64(f); math.IsNaN(g) || math.IsInf(g, 0) {
				return i, g
			}
		}
	case []float64:
		for i, f := range x {
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return i, f
			}
		}
	}
	return -1, 0
}
