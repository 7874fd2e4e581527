package path

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/mmi-go/mmi/internal/jsonpos"
)

// Decoder builds a path of one kind from its JSON object (the whole object,
// "kind" included).
type Decoder func(data []byte) (Path, error)

var (
	kindsMu sync.RWMutex
	kinds   map[string]Decoder
)

func init() {
	kinds = map[string]Decoder{
		"segment":  decodeSegment,
		"polyline": decodePolyline,
		"concat":   decodeConcat,
		"reverse":  decodeReverse,
		"reparam":  decodeReparam,
	}
}

// RegisterKind makes Load understand objects with "kind": kind. Paths of that
// kind must implement json.Marshaler and write the same kind. It panics if
// the kind is empty or already registered (a programmer error, typically two
// init functions claiming one name).
func RegisterKind(kind string, decode Decoder) {
	kindsMu.Lock()
	defer kindsMu.Unlock()
	if kind == "" || decode == nil {
		panic("path: RegisterKind with an empty kind or nil decoder")
	}
	if _, dup := kinds[kind]; dup {
		panic(fmt.Sprintf("path: kind %q registered twice", kind))
	}
	kinds[kind] = decode
}

// Save writes p as indented JSON followed by a newline, one line per point.
//
// The format is one JSON object whose "kind" field says what it
// is; the other fields depend on the kind:
//
//	{"kind": "segment",  "from": [1, 0, 0], "to": [0, 1, 0]}
//	{"kind": "polyline", "points": [[1, 0, 0], [0.5, 0.25, 0.25], [0, 0, 1]]}
//	{"kind": "concat",   "paths": [PATH, PATH, …]}
//	{"kind": "reverse",  "path": PATH}
//	{"kind": "reparam",  "warp": "smoothstep", "path": PATH}
//
// where PATH is again such an object and "warp" is "smoothstep" or
// "smootherstep". Points are simplex coordinates (α_0 is the Gaussian).
// Loading runs the same validation as the constructors, and unknown fields
// are errors (a misspelt field is not silently ignored).
//
// Other packages add kinds (a path optimizer's "straight line + sine
// series") with RegisterKind and by giving their path type a MarshalJSON
// method that writes its "kind".
func Save(w io.Writer, p Path) error {
	data, err := Marshal(p)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, data, "", "  "); err != nil {
		return fmt.Errorf("path: %w", err)
	}
	// One line per point: json.Indent puts every number on its own line.
	out := numberArray.ReplaceAllFunc(buf.Bytes(), func(m []byte) []byte {
		fields := bytes.Fields(m[1 : len(m)-1])
		return append(append([]byte{'['}, bytes.Join(fields, []byte{' '})...), ']')
	})
	out = append(out, '\n')
	_, err = w.Write(out)
	return err
}

// numberArray matches a JSON array of numbers only, as json.Indent lays it
// out over several lines.
var numberArray = regexp.MustCompile(`\[[-+0-9.eE,\s]*\]`)

// Load reads one path written by Save (or by hand in the same format) and
// validates it as its constructor would.
func Load(r io.Reader) (Path, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("path: reading path: %w", err)
	}
	return Unmarshal(data)
}

// Marshal returns the compact JSON of p. Paths built by this package
// encode themselves; other paths must implement json.Marshaler (and their
// kind be registered to load them back). Paths retimed with a WarpFunc
// cannot be encoded.
func Marshal(p Path) ([]byte, error) {
	node, err := encode(p)
	if err != nil {
		return nil, err
	}
	data, err := json.Marshal(node)
	if err != nil {
		return nil, fmt.Errorf("path: %w", err)
	}
	return data, nil
}

// maxNesting bounds how deeply arrays and objects may nest in a path
// document. Each nested path is decoded again by its parent's decoder, so
// decoding time grows with depth × size: without a bound, a 250 kB file
// of 9000 nested "reverse" objects takes most of a minute to load. Real
// paths nest a few levels (a polyline's points are 3 deep, each reverse,
// reparam or concat adds 1 or 2).
const maxNesting = 100

// Unmarshal decodes one JSON path object; nested paths of registered kinds
// decode through it.
func Unmarshal(data []byte) (Path, error) {
	if err := checkNesting(data); err != nil {
		return nil, err
	}
	var head struct {
		Kind *string `json:"kind"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("path: bad path JSON%s: %w", jsonpos.Of(data, err), err)
	}
	if head.Kind == nil {
		return nil, errors.New(`path: path JSON has no "kind" field`)
	}
	kindsMu.RLock()
	dec, ok := kinds[*head.Kind]
	kindsMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("path: unknown path kind %q (known: %s)", *head.Kind, knownKinds())
	}
	return dec(data)
}

// checkNesting refuses a document whose arrays and objects nest more than
// maxNesting deep, saying where, before anything is decoded.
func checkNesting(data []byte) error {
	depth, inString, escaped := 0, false, false
	for i, c := range data {
		switch {
		case escaped:
			escaped = false
		case inString:
			escaped = c == '\\'
			inString = c != '"'
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			if depth++; depth > maxNesting {
				line, col := jsonpos.LineColumn(data, int64(i))
				return fmt.Errorf("path: path JSON nests deeper than %d levels at line %d, column %d", maxNesting, line, col)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}

func knownKinds() string {
	kindsMu.RLock()
	defer kindsMu.RUnlock()
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// JSON shapes of the built-in kinds.
type (
	segmentJSON struct {
		Kind string    `json:"kind"`
		From []float64 `json:"from"`
		To   []float64 `json:"to"`
	}
	polylineJSON struct {
		Kind   string      `json:"kind"`
		Points [][]float64 `json:"points"`
	}
	concatJSON struct {
		Kind  string            `json:"kind"`
		Paths []json.RawMessage `json:"paths"`
	}
	reverseJSON struct {
		Kind string          `json:"kind"`
		Path json.RawMessage `json:"path"`
	}
	reparamJSON struct {
		Kind string          `json:"kind"`
		Warp string          `json:"warp"`
		Path json.RawMessage `json:"path"`
	}
)

// encode returns a value that json.Marshal turns into p's JSON object.
func encode(p Path) (any, error) {
	switch p := p.(type) {
	case *segment:
		return segmentJSON{"segment", p.a, p.b}, nil
	case *polyline:
		return polylineJSON{"polyline", p.points}, nil
	case *concat:
		out := concatJSON{Kind: "concat"}
		for _, q := range p.parts {
			raw, err := Marshal(q)
			if err != nil {
				return nil, err
			}
			out.Paths = append(out.Paths, raw)
		}
		return out, nil
	case *reverse:
		raw, err := Marshal(p.p)
		if err != nil {
			return nil, err
		}
		return reverseJSON{"reverse", raw}, nil
	case *reparam:
		name, err := warpName(p.w)
		if err != nil {
			return nil, err
		}
		raw, err := Marshal(p.p)
		if err != nil {
			return nil, err
		}
		return reparamJSON{"reparam", name, raw}, nil
	case json.Marshaler:
		raw, err := p.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("path: encoding %T: %w", p, err)
		}
		var head struct {
			Kind string `json:"kind"`
		}
		if err := json.Unmarshal(raw, &head); err != nil || head.Kind == "" {
			return nil, fmt.Errorf(`path: %T encodes without a "kind" field`, p)
		}
		return json.RawMessage(raw), nil
	}
	return nil, fmt.Errorf("path: cannot encode a path of type %T (it has no MarshalJSON method)", p)
}

func warpName(w TimeWarp) (string, error) {
	switch w.(type) {
	case Smoothstep, *Smoothstep:
		return "smoothstep", nil
	case Smootherstep, *Smootherstep:
		return "smootherstep", nil
	}
	return "", fmt.Errorf("path: cannot encode a time warp of type %T (only smoothstep and smootherstep have names)", w)
}

func warpByName(name string) (TimeWarp, error) {
	switch name {
	case "smoothstep":
		return Smoothstep{}, nil
	case "smootherstep":
		return Smootherstep{}, nil
	}
	return nil, fmt.Errorf("path: unknown time warp %q (known: smoothstep, smootherstep)", name)
}

// strict decodes data into v, refusing unknown fields.
func strict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("path: bad path JSON: %w", err)
	}
	return nil
}

func decodeSegment(data []byte) (Path, error) {
	var s segmentJSON
	if err := strict(data, &s); err != nil {
		return nil, err
	}
	return Segment(s.From, s.To)
}

func decodePolyline(data []byte) (Path, error) {
	var s polylineJSON
	if err := strict(data, &s); err != nil {
		return nil, err
	}
	return Polyline(s.Points...)
}

func decodeConcat(data []byte) (Path, error) {
	var s concatJSON
	if err := strict(data, &s); err != nil {
		return nil, err
	}
	parts := make([]Path, len(s.Paths))
	for j, raw := range s.Paths {
		p, err := Unmarshal(raw)
		if err != nil {
			return nil, fmt.Errorf("path: concat part %d: %w", j, err)
		}
		parts[j] = p
	}
	return Concat(parts...)
}

func decodeReverse(data []byte) (Path, error) {
	var s reverseJSON
	if err := strict(data, &s); err != nil {
		return nil, err
	}
	if s.Path == nil {
		return nil, errors.New(`path: reverse without "path"`)
	}
	p, err := Unmarshal(s.Path)
	if err != nil {
		return nil, err
	}
	return Reverse(p), nil
}

func decodeReparam(data []byte) (Path, error) {
	var s reparamJSON
	if err := strict(data, &s); err != nil {
		return nil, err
	}
	w, err := warpByName(s.Warp)
	if err != nil {
		return nil, err
	}
	if s.Path == nil {
		return nil, errors.New(`path: reparam without "path"`)
	}
	p, err := Unmarshal(s.Path)
	if err != nil {
		return nil, err
	}
	return Reparam(p, w)
}
