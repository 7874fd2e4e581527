package classify

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/internal/atomicfile"
	"github.com/mmi-go/mmi/nn"
)

// formatVersion is the version of the cache file format; it is part of the
// cache key, so a new format never reads an old file.
const formatVersion = 1

// magic starts every cache file.
const magic = "mmi classifier\n"

// Options are the choices of Load; nil means all defaults.
type Options struct {
	// Dir is the cache directory; empty means
	// os.UserCacheDir()/mmi/classify ($XDG_CACHE_HOME/mmi/classify or
	// ~/.cache/mmi/classify on Linux).
	Dir string
	// Settings replace DefaultSettings(set) when not nil.
	Settings *Settings
	// Log receives notes: that a classifier is being trained, its
	// progress and accuracy, and cache files that could not be read or
	// written. Nil discards them.
	Log io.Writer
}

// Load returns the classifier of the labelled set named set ("mnist",
// "fashion", "digits") or of a view of one ("mnist:crop20:8x8": MNIST's
// central 20×20 pixels area-averaged to 8×8, see datasets.ViewClass): read from the cache if it holds one trained with
// the same settings, else trained now (Train, about a minute for the 28×28
// sets on two cores) and cached. A cache file that cannot be read (cut
// short, corrupted, of another format) is trained afresh and replaced,
// with a note to o.Log; a cache that cannot be written is noted too, and
// the classifier returned all the same. Errors are those of the data (a
// set that is not installed) and ctx's.
func Load(ctx context.Context, set string, o *Options) (*Classifier, error) {
	if o == nil {
		o = &Options{}
	}
	set = strings.ToLower(strings.TrimSpace(set))
	s := DefaultSettings(set)
	if o.Settings != nil {
		s = *o.Settings
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	logf := func(format string, a ...any) {
		if o.Log != nil {
			fmt.Fprintf(o.Log, format+"\n", a...)
		}
	}
	file, err := cacheFile(o.Dir, set, s)
	if err != nil {
		logf("classify: no cache directory (%v); the classifier is trained but not kept", err)
	}
	if file != "" {
		c, err := readFile(file, set, s)
		if err == nil {
			return c, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			logf("classify: cached classifier %s is unusable (%v); training it again", file, err)
		}
	}
	logf("classify: training the %s classifier (first use; about a minute for 28×28 images on two cores)", set)
	c, err := Train(ctx, set, s, o.Log)
	if err != nil {
		return nil, err
	}
	logf("classify: %s classifier: test accuracy %.4f on %d held-out images, trained in %.0f s",
		set, c.TestAccuracy, c.TestImages, c.TrainSeconds)
	if file != "" {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			logf("classify: cannot cache the classifier: %v", err)
		} else if err := writeFile(file, c); err != nil {
			logf("classify: cannot cache the classifier: %v", err)
		} else {
			logf("classify: cached in %s", file)
		}
	}
	return c, nil
}

// header is the JSON line that follows the magic in a cache file; the
// float32 parameters follow it, then the SHA-256 of everything before.
type header struct {
	Format       int
	Key          string
	Set          string
	Shape        datasets.ImageShape
	Settings     Settings
	Sizes        []int
	Params       int
	TestAccuracy float64
	TestImages   int
	TrainSeconds float64
}

// cacheKey identifies a classifier: the format version, the set and the
// settings.
func cacheKey(set string, s Settings) string {
	b, _ := json.Marshal(struct {
		Format   int
		Set      string
		Settings Settings
	}{formatVersion, set, s})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// cacheFile returns the cache file of a classifier in dir (or the user's
// cache directory when dir is empty).
func cacheFile(dir, set string, s Settings) (string, error) {
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(base, "mmi", "classify")
	}
	name := strings.NewReplacer(":", "-").Replace(set)
	return filepath.Join(dir, fmt.Sprintf("%s-%s.cls", name, cacheKey(set, s))), nil
}

// writeFile writes c to file atomically.
func writeFile(file string, c *Classifier) error {
	h := header{Format: formatVersion, Key: cacheKey(c.Set, c.Settings), Set: c.Set, Shape: c.Shape,
		Settings: c.Settings, Sizes: c.net.Sizes, Params: len(c.net.Params),
		TestAccuracy: c.TestAccuracy, TestImages: c.TestImages, TrainSeconds: c.TrainSeconds}
	var buf bytes.Buffer
	buf.WriteString(magic)
	if err := json.NewEncoder(&buf).Encode(h); err != nil {
		return err
	}
	if err := binary.Write(&buf, binary.LittleEndian, c.net.Params); err != nil {
		return err
	}
	sum := sha256.Sum256(buf.Bytes())
	buf.Write(sum[:])
	return atomicfile.Write(file, func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	})
}

// readFile reads the classifier of set trained with s from file, checking
// everything: the checksum, the format, the key, and sizes that match the
// settings. A missing file is an error wrapping os.ErrNotExist.
func readFile(file, set string, s Settings) (*Classifier, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	if len(data) < len(magic)+sha256.Size || string(data[:len(magic)]) != magic {
		return nil, errors.New("not a classifier file")
	}
	body, sum := data[:len(data)-sha256.Size], data[len(data)-sha256.Size:]
	if want := sha256.Sum256(body); !bytes.Equal(sum, want[:]) {
		return nil, errors.New("checksum mismatch (cut short or corrupted)")
	}
	br := bufio.NewReader(bytes.NewReader(body[len(magic):]))
	line, err := br.ReadBytes('\n')
	if err != nil {
		return nil, errors.New("no header")
	}
	var h header
	if err := json.Unmarshal(line, &h); err != nil {
		return nil, fmt.Errorf("header: %v", err)
	}
	if h.Format != formatVersion || h.Key != cacheKey(set, s) || h.Set != set {
		return nil, fmt.Errorf("written for format %d, set %q, key %s", h.Format, h.Set, h.Key)
	}
	d := h.Shape.Width * h.Shape.Height
	want := append(append([]int{d}, s.Hidden...), Classes)
	if d < 1 || len(h.Sizes) != len(want) {
		return nil, fmt.Errorf("layer sizes %v, want %v", h.Sizes, want)
	}
	for i := range want {
		if h.Sizes[i] != want[i] {
			return nil, fmt.Errorf("layer sizes %v, want %v", h.Sizes, want)
		}
	}
	net := &nn.MLP[float32]{Sizes: want, Act: nn.SiLU}
	if h.Params != net.NumParams() {
		return nil, fmt.Errorf("%d parameters, want %d", h.Params, net.NumParams())
	}
	net.Params = make([]float32, h.Params)
	if err := binary.Read(br, binary.LittleEndian, net.Params); err != nil {
		return nil, fmt.Errorf("parameters: %v", err)
	}
	if _, err := br.ReadByte(); err != io.EOF {
		return nil, errors.New("trailing data")
	}
	for _, v := range net.Params {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, errors.New("parameter not finite")
		}
	}
	return &Classifier{Set: set, Shape: h.Shape, Settings: s, TestAccuracy: h.TestAccuracy,
		TestImages: h.TestImages, TrainSeconds: h.TrainSeconds, net: net}, nil
}
