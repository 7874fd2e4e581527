package pathopt

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/mmi-go/mmi/internal/fuzzcheck"
	"github.com/mmi-go/mmi/path"
)

// sineAllocPerByte bounds what decoding a sine path allocates per input
// byte: a float64 (and slice headers) per decoded number, the copies that
// NewSine keeps, and its kink search, which is linear in the coefficients.
const sineAllocPerByte = 2048

// FuzzSineJSON checks the decoder of the "sine" kind that pathopt adds to
// path JSON (the files `mmi pathopt --out` writes and `mmi path --path`
// reads): no input makes it panic, hang or allocate beyond a multiple of
// its size (a huge "modes" with few coefficients must be refused, not
// allocated); errors are one line starting "path: " or "pathopt: "; an
// accepted path stays on the simplex at every time and survives a
// Marshal/Unmarshal round trip unchanged.
func FuzzSineJSON(f *testing.F) {
	for _, seed := range []string{
		`{"kind": "sine", "points": [[0, 1, 0], [0, 0, 1]], "modes": 1, "coef": [[0.1, -0.2, 0.1]]}`,
		`{"kind": "sine", "points": [[1, 0, 0], [0, 1, 0], [0, 0, 1]], "modes": 2, "coef": [[0.3, -0.1, -0.2], [0, 0, 0], [0.5, -0.5, 0], [0, 0.1, -0.1]]}`,
		`{"kind": "sine", "points": [[1, 0], [0, 1]], "modes": 0, "coef": []}`,
		`{"kind": "sine", "points": [[1, 0], [0, 1]], "modes": 1000000000000, "coef": [[0, 0]]}`,
		`{"kind": "sine", "points": [[1, 0], [0, 1]], "modes": -3, "coef": [[0, 0]]}`,
		`{"kind": "sine", "points": [[1, 0], [0, 1]], "modes": 1, "coef": [[1e308, -1e308]]}`,
		`{"kind": "sine", "points": [[1, 0], [0, 1]], "modes": 1, "coef": [[5, -4]]}`,
		`{"kind": "sine", "points": [[1, 0], [1, 0]], "modes": 1, "coef": [[0, 0]]}`,
		`{"kind": "sine", "points": [[1, 0], [0, 1, 0]], "modes": 1, "coef": [[0, 0]]}`,
		`{"kind": "sine", "points": [[0.5, 0.6], [0, 1]], "modes": 1, "coef": [[0, 0]]}`,
		`{"kind": "sine", "points": [[1, 0]], "modes": 1, "coef": [[0, 0]]}`,
		`{"kind": "sine", "points": [[1, 0], [0, 1]], "modes": 1}`,
		`{"kind": "sine", "modes": 1, "coef": [[0, 0]]}`,
		`{"kind": "sine", "points": [[1, 0], [0, 1]], "modes": 1, "coef": [[0, 0]], "extra": 1}`,
		`{"kind": "sine", "points": "no"}`,
		`{"kind": "reverse", "path": {"kind": "sine", "points": [[1, 0, 0], [0, 0, 1]], "modes": 1, "coef": [[0, 0.2, -0.2]]}}`,
		`{"kind": "sine", "points": [[1, 0], [0, 1]], "modes": 1, "coef": [[0, 0]]`,
		``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var p path.Path
		var err error
		start := time.Now()
		fuzzcheck.Bounded(t, fuzzcheck.Limit(len(b), sineAllocPerByte, 1<<20), func() {
			p, err = path.Unmarshal(b)
		})
		if el := time.Since(start); el > 2*time.Second && len(b) < 1<<20 {
			t.Fatalf("decoding %d bytes took %v", len(b), el)
		}
		if err != nil {
			msg := err.Error()
			if len(msg) >= 9 && msg[:9] == "pathopt: " {
				fuzzcheck.Error(t, err, "pathopt: ")
			} else {
				fuzzcheck.Error(t, err, "path: ")
			}
			return
		}
		enc, err := path.Marshal(p)
		if err != nil {
			t.Fatalf("accepted path cannot be encoded: %v", err)
		}
		q, err := path.Unmarshal(enc)
		if err != nil {
			t.Fatalf("encoded path does not decode: %v\n%s", err, enc)
		}
		if enc2, err := path.Marshal(q); err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding changes after a round trip: %v\n%s\n%s", err, enc, enc2)
		}
		n := p.Len()
		a, c := make([]float64, n), make([]float64, n)
		for _, tt := range []float64{0, 0.1, 0.25, 0.5, 0.77, 0.999, 1} {
			p.Alpha(a, tt)
			q.Alpha(c, tt)
			sum := 0.0
			for k, v := range a {
				if v != c[k] && !(math.IsNaN(v) && math.IsNaN(c[k])) {
					t.Fatalf("α(%g) = %v after a round trip, %v before", tt, c, a)
				}
				if !(v >= -1e-8) || math.IsInf(v, 0) {
					t.Fatalf("α(%g)[%d] = %v is off the simplex", tt, k, v)
				}
				sum += v
			}
			if math.Abs(sum-1) > 1e-8 {
				t.Fatalf("α(%g) = %v sums to %v", tt, a, sum)
			}
		}
	})
}
