package path

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmi-go/mmi/internal/fuzzcheck"
)

// pathAllocPerByte bounds what Unmarshal allocates per input byte: each
// nesting level decodes its part of the document again (at most
// maxNesting times), keeping a copy of nested objects and a float64 per
// number.
const pathAllocPerByte = 64 * maxNesting

// FuzzUnmarshal checks that no path JSON makes Unmarshal panic, hang or
// allocate beyond a multiple of the input's size; that errors are one
// line starting "path: "; and that an accepted path stays on the simplex
// (paths of this package; the test-only "test-sine" kind need not, the
// schedules "trig" and "schedule" stay in the non-negative orthant off 0)
// and survives a Marshal and Unmarshal unchanged.
func FuzzUnmarshal(f *testing.F) {
	for _, seed := range []string{
		`{"kind": "segment", "from": [1, 0, 0], "to": [0, 1, 0]}`,
		`{"kind": "polyline", "points": [[1, 0, 0], [0.5, 0.25, 0.25], [0, 0, 1]]}`,
		`{"kind": "reparam", "warp": "smoothstep", "path": {"kind": "reverse", "path": {"kind": "concat", "paths": [
			{"kind": "segment", "from": [1, 0], "to": [0, 1]}, {"kind": "segment", "from": [0, 1], "to": [0.5, 0.5]}]}}}`,
		`{"kind": "segment", "from": [1e308, -1e308], "to": [0, 1]}`,
		`{"kind": "reverse", "path": {"kind": "reverse"}}`,
		`{"kind": "test-sine", "a": 0.1}`,
		`{"kind": "trig", "marginals": 3, "from": 0, "to": 2}`,
		`{"kind": "trig", "marginals": 1000000000000, "from": 0, "to": 2}`,
		`{"kind": "schedule", "marginals": 3, "from": 0, "to": 1, "t": [0, 0.5, 1], "alpha_from": [1, 0.8, 0], "alpha_to": [0, 0.7, 1]}`,
		`{"kind": "schedule", "marginals": 3, "from": 0, "to": 1, "t": [0, 1], "alpha_from": [1, 0], "alpha_to": [0, 1e308]}`,
		`{"kind": 1}`,
		``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var p Path
		var err error
		start := time.Now()
		fuzzcheck.Bounded(t, fuzzcheck.Limit(len(b), pathAllocPerByte, 1<<20), func() {
			p, err = Unmarshal(b)
		})
		// Generous: linear decoding of a fuzz input takes microseconds;
		// the quadratic decoding of deep nesting took seconds.
		if el := time.Since(start); el > 2*time.Second && len(b) < 1<<20 {
			t.Fatalf("decoding %d bytes took %v", len(b), el)
		}
		if err != nil {
			fuzzcheck.Error(t, err, "path: ")
			return
		}
		enc, err := Marshal(p)
		if err != nil {
			t.Fatalf("accepted path cannot be encoded: %v", err)
		}
		q, err := Unmarshal(enc)
		if err != nil {
			t.Fatalf("encoded path does not decode: %v\n%s", err, enc)
		}
		if enc2, err := Marshal(q); err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding changes after a round trip: %v\n%s\n%s", err, enc, enc2)
		}
		if bytes.Contains(b, []byte("test-sine")) {
			return
		}
		n := p.Len()
		a, c := make([]float64, n), make([]float64, n)
		for _, tt := range []float64{0, 0.25, 0.5, 0.999, 1} {
			p.Alpha(a, tt)
			q.Alpha(c, tt)
			if !slices.Equal(a, c) {
				t.Fatalf("α(%g) = %v after a round trip, %v before", tt, c, a)
			}
			sum := 0.0
			for k, v := range a {
				if !(v >= -1e-8) || math.IsInf(v, 0) {
					t.Fatalf("α(%g)[%d] = %v is off the simplex", tt, k, v)
				}
				sum += v
			}
			if schedule := bytes.Contains(b, []byte(`"trig"`)) || bytes.Contains(b, []byte(`"schedule"`)); schedule {
				if !(sum > 0) {
					t.Fatalf("schedule α(%g) = %v is 0", tt, a)
				}
				continue
			}
			if math.Abs(sum-1) > 1e-8 {
				t.Fatalf("α(%g) sums to %v", tt, sum)
			}
		}
	})
}

// TestDeepNesting: a small file of deeply nested paths is refused at once,
// saying where, instead of being decoded once per level (a 250 kB file
// of 9000 nested reverses took 44 s to load); nesting within the limit
// loads.
func TestDeepNesting(t *testing.T) {
	nest := func(n int) []byte {
		return []byte(strings.Repeat(`{"kind": "reverse", "path": `, n) +
			`{"kind": "segment", "from": [1, 0], "to": [0, 1]}` + strings.Repeat("}", n))
	}
	start := time.Now()
	_, err := Unmarshal(nest(9000))
	if err == nil || !strings.Contains(err.Error(), "nests deeper than 100 levels at line 1, column 2801") {
		t.Errorf("9000 levels: err = %v", err)
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("refusing 9000 levels took %v", el)
	}
	if _, err := Unmarshal(nest(98)); err != nil { // 98 objects, the segment and its arrays: 100 levels
		t.Errorf("98 nested paths: %v", err)
	}
}
