package gk

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// alphaMixKeys names the fields of an AlphaMix in ParseAlphaMix and
// String, in the order String writes them.
var alphaMixKeys = []string{"interior", "faces", "edges", "vertices", "data-edges", "edge-beta"}

// field returns a pointer to the field of a that key names.
func (a *AlphaMix) field(key string) *float64 {
	switch key {
	case "interior":
		return &a.Interior
	case "faces":
		return &a.Faces
	case "edges":
		return &a.Edges
	case "vertices":
		return &a.Vertices
	case "data-edges":
		return &a.DataEdges
	case "edge-beta":
		return &a.EdgeBeta
	}
	return nil
}

// ParseAlphaMix reads an α-distribution written as comma-separated
// key:value pairs, "interior:0.1,faces:0.05,edges:0.8,vertices:0.05" (the
// mixture weights, relative: they need not sum to 1), with optionally
// "data-edges:S" (the share of edge draws between two data marginals) and
// "edge-beta:B" (t ~ Beta(B, B) on an edge). A key not given keeps
// base's value, so "edges:0.8" changes one weight of base. The result is
// checked as Settings checks it.
func ParseAlphaMix(s string, base AlphaMix) (AlphaMix, error) {
	if base.isZero() {
		base = DefaultAlphaMix
	}
	a := base
	if strings.TrimSpace(s) == "" {
		return AlphaMix{}, fmt.Errorf("gk: empty α mixture; want key:value pairs of %s", strings.Join(alphaMixKeys, ", "))
	}
	seen := map[string]bool{}
	for _, kv := range strings.Split(s, ",") {
		key, val, ok := strings.Cut(strings.TrimSpace(kv), ":")
		p := a.field(key)
		if !ok || p == nil {
			return AlphaMix{}, fmt.Errorf("gk: α mixture %q: %q is not key:value with a key of %s", s, kv, strings.Join(alphaMixKeys, ", "))
		}
		if seen[key] {
			return AlphaMix{}, fmt.Errorf("gk: α mixture %q: %s given twice", s, key)
		}
		seen[key] = true
		v, err := strconv.ParseFloat(val, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return AlphaMix{}, fmt.Errorf("gk: α mixture %q: %s %q, want a finite number ≥ 0", s, key, val)
		}
		*p = v
	}
	if err := a.check(); err != nil {
		return AlphaMix{}, err
	}
	return a, nil
}

// check refuses negative or non-finite weights, weights that are all zero
// and a data-edge share outside [0, 1].
func (a AlphaMix) check() error {
	for _, w := range []float64{a.Interior, a.Faces, a.Edges, a.Vertices, a.EdgeBeta} {
		if !(w >= 0) || math.IsInf(w, 0) {
			return fmt.Errorf("gk: α mixture weight %v, need finite and ≥ 0", w)
		}
	}
	sum := a.Interior + a.Faces + a.Edges + a.Vertices
	if !(sum > 0) {
		return fmt.Errorf("gk: α mixture %v puts no weight anywhere", a)
	}
	if !(a.DataEdges >= 0 && a.DataEdges <= 1) {
		return fmt.Errorf("gk: share of data–data edges %v, need in [0, 1]", a.DataEdges)
	}
	return nil
}

// String writes a in the form ParseAlphaMix reads, leaving out
// edge-beta when it is 0 or 1 (uniform on the edge).
func (a AlphaMix) String() string {
	var b strings.Builder
	for _, key := range alphaMixKeys {
		v := *a.field(key)
		if key == "edge-beta" && (v == 0 || v == 1) {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s:%g", key, v)
	}
	return b.String()
}
