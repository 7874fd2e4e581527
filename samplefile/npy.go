package samplefile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// npyMagic opens every NPY file; the format version follows it.
const npyMagic = "\x93NUMPY"

// maxNPYHeader bounds the header length we are willing to read. numpy
// itself refuses headers longer than 10000 bytes by default.
const maxNPYHeader = 1 << 20

// ReadNPY reads a NumPy array file (format versions 1.0, 2.0 and 3.0) that
// holds a 2-D array of shape (n, d): n samples of dimension d, with n, d ≥ 1,
// or images: a 3-D array (n, height, width) or a 4-D array (n, height,
// width, channels) of 1 or 3 channels, each image flattened row-major
// (channels innermost) into a sample of dimension height·width·channels
// (ReadShape returns the image shape).
//
// Element types: little- or big-endian float32 ("<f4", ">f4") and float64
// ("<f8", ">f8") are read exactly. Integer arrays (signed or unsigned, 1 to
// 8 bytes, e.g. "|u1" images) are converted to float64, which is exact up
// to 2^53 in magnitude. Other types (float16, complex, bool, strings,
// objects, structured records) are errors. Fortran-order (column-major)
// arrays are transposed to row-major. A 1-D array, a 5-D or higher one and
// a 4-D one of other than 1 or 3 channels are errors telling how to reshape
// them, as are a NaN or an infinite value,
// missing data and bytes after the array.
//
// Malformed files of any kind give an error, never a panic, and memory is
// allocated as data arrives, not on the header's word. If r tells how many
// bytes it holds (a Len method, as *bytes.Reader has), the size the header
// declares is checked against it before any data is read.
func ReadNPY(r io.Reader) (data []float64, d int, err error) {
	size := int64(-1)
	if l, ok := r.(interface{ Len() int }); ok {
		size = int64(l.Len())
	}
	data, shape, err := readNPY(r, "npy", size)
	return data, prod(shape), err
}

// prod returns the product of the sample shape, the dimension d.
func prod(shape []int) int {
	if shape == nil {
		return 0
	}
	d := 1
	for _, s := range shape {
		d *= s
	}
	return d
}

// npyHeader is the decoded header dictionary of an NPY file.
type npyHeader struct {
	order   binary.ByteOrder
	kind    byte // 'f', 'i' or 'u'
	size    int  // bytes per element
	fortran bool
	shape   []int
}

// readNPY reads an NPY file of size bytes (-1 if unknown) from r; name
// is the file name used in errors. It returns the samples and the shape of
// one sample: [d] for an (n, d) array, [H, W] or [H, W, C] for images.
func readNPY(r io.Reader, name string, size int64) ([]float64, []int, error) {
	fail := func(format string, a ...any) ([]float64, []int, error) {
		return nil, nil, fmt.Errorf("samplefile: %s: "+format, append([]any{name}, a...)...)
	}
	h, headerBytes, err := readNPYHeader(r)
	if err != nil {
		return fail("%v", err)
	}
	n, d, err := h.samples()
	if err != nil {
		return fail("%v", err)
	}
	if size >= 0 {
		// Check the declared size against the file before reading.
		want := int64(n * d * h.size)
		have := size - int64(headerBytes)
		switch {
		case have < want:
			return fail("header declares shape %s of %d-byte numbers, %d bytes of data, but only %d bytes follow the header (file is truncated)",
				shapeString(h.shape), h.size, want, have)
		case have > want:
			return fail("unexpected %d bytes after the %s array", have-want, shapeString(h.shape))
		}
	}
	data, err := readElements(r, n*d, h)
	if err != nil {
		return fail("%v", err)
	}
	var extra [1]byte
	if k, _ := io.ReadFull(r, extra[:]); k != 0 {
		return fail("unexpected bytes after the %s array", shapeString(h.shape))
	}
	for i, v := range data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			row, col := i/d, i%d
			if h.fortran {
				row, col = i%n, i/n
			}
			return fail("sample %d, coordinate %d is %v", row, col, v)
		}
	}
	if h.fortran && n > 1 && d > 1 {
		t := make([]float64, len(data))
		for j := 0; j < d; j++ {
			for i := 0; i < n; i++ {
				t[i*d+j] = data[j*n+i]
			}
		}
		data = t
	}
	return data, append([]int(nil), h.shape[1:]...), nil
}

// readNPYHeader reads the magic string, the format version, the header
// length and the header dictionary, and returns the parsed header and the
// number of bytes read, after which the data start.
func readNPYHeader(r io.Reader) (*npyHeader, int, error) {
	var pre [8]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return nil, 0, fmt.Errorf("not an NPY file: %v", eofIsShort(err))
	}
	if string(pre[:6]) != npyMagic {
		return nil, 0, fmt.Errorf("not an NPY file (no \\x93NUMPY magic)")
	}
	major, minor := pre[6], pre[7]
	var hlen, lenBytes int
	switch major {
	case 1:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, 0, fmt.Errorf("header length: %v", eofIsShort(err))
		}
		hlen, lenBytes = int(binary.LittleEndian.Uint16(b[:])), 2
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, 0, fmt.Errorf("header length: %v", eofIsShort(err))
		}
		hlen64 := binary.LittleEndian.Uint32(b[:])
		if hlen64 > maxNPYHeader {
			return nil, 0, fmt.Errorf("header length %d is implausibly large", hlen64)
		}
		hlen, lenBytes = int(hlen64), 4
	default:
		return nil, 0, fmt.Errorf("unsupported NPY format version %d.%d (want 1.0, 2.0 or 3.0)", major, minor)
	}
	if minor != 0 {
		return nil, 0, fmt.Errorf("unsupported NPY format version %d.%d (want 1.0, 2.0 or 3.0)", major, minor)
	}
	hbuf := make([]byte, hlen)
	if _, err := io.ReadFull(r, hbuf); err != nil {
		return nil, 0, fmt.Errorf("header: %v", eofIsShort(err))
	}
	h, err := parseNPYHeader(hbuf)
	if err != nil {
		return nil, 0, fmt.Errorf("header: %v", err)
	}
	return h, len(pre) + lenBytes + hlen, nil
}

// samples returns the number of samples n and their dimension d of a 2-D
// array, or an error that says how to save the array instead; n·d
// elements of the declared size must fit in an int.
func (h *npyHeader) samples() (n, d int, err error) {
	switch len(h.shape) {
	case 2, 3, 4:
		if len(h.shape) > 2 && h.fortran {
			return 0, 0, fmt.Errorf("array of shape %s is in Fortran (column-major) order; save np.ascontiguousarray(x) for images", shapeString(h.shape))
		}
		if len(h.shape) < 4 {
			break
		}
		if c := h.shape[3]; c != 1 && c != 3 {
			return 0, 0, fmt.Errorf("array has shape %s: a 4-D array is images (n, height, width, channels) of 1 or 3 channels, not %d", shapeString(h.shape), c)
		}
	case 0:
		return 0, 0, fmt.Errorf("array is a scalar (shape ()); need 2-D samples × dimension")
	case 1:
		return 0, 0, fmt.Errorf("array is 1-D (shape (%d,)); need 2-D samples × dimension: save x.reshape(-1, 1) for %d one-dimensional samples", h.shape[0], h.shape[0])
	default:
		return 0, 0, fmt.Errorf("array is %d-D (shape %s); need 2-D samples × dimension, or images (n, height, width[, channels]): save x.reshape(len(x), -1) to flatten each sample", len(h.shape), shapeString(h.shape))
	}
	n, d = h.shape[0], 1
	for _, s := range h.shape[1:] {
		if s > 0 && d > math.MaxInt/s {
			return 0, 0, fmt.Errorf("array shape %s is too large", shapeString(h.shape))
		}
		d *= s
	}
	if n == 0 || d == 0 {
		return 0, 0, fmt.Errorf("array has shape %s: no samples", shapeString(h.shape))
	}
	if n > math.MaxInt/d || n*d > math.MaxInt/h.size {
		return 0, 0, fmt.Errorf("array shape %s is too large", shapeString(h.shape))
	}
	return n, d, nil
}

// readElements reads count elements and converts them to float64. It
// grows its result as bytes arrive, so a header that claims a huge array
// cannot make it allocate more than the data actually present.
func readElements(r io.Reader, count int, h *npyHeader) ([]float64, error) {
	const chunk = 1 << 16 // elements per read
	data := make([]float64, 0, min(count, chunk))
	buf := make([]byte, min(count, chunk)*h.size)
	for len(data) < count {
		m := min(count-len(data), chunk)
		b := buf[:m*h.size]
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, fmt.Errorf("data: %v after %d of %d numbers", eofIsShort(err), len(data), count)
		}
		for k := 0; k < m; k++ {
			data = append(data, h.decode(b[k*h.size:]))
		}
	}
	return data, nil
}

// decode converts one element at the start of b.
func (h *npyHeader) decode(b []byte) float64 {
	var u uint64
	switch h.size {
	case 1:
		u = uint64(b[0])
	case 2:
		u = uint64(h.order.Uint16(b))
	case 4:
		u = uint64(h.order.Uint32(b))
	default:
		u = h.order.Uint64(b)
	}
	switch h.kind {
	case 'f':
		if h.size == 4 {
			return float64(math.Float32frombits(uint32(u)))
		}
		return math.Float64frombits(u)
	case 'i':
		shift := 64 - 8*uint(h.size)
		return float64(int64(u<<shift) >> shift) // sign-extend
	default:
		return float64(u)
	}
}

// eofIsShort turns the io errors of a short read into a readable reason.
func eofIsShort(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("file is truncated")
	}
	return err
}

func shapeString(shape []int) string {
	parts := make([]string, len(shape))
	for i, s := range shape {
		parts[i] = strconv.Itoa(s)
	}
	if len(shape) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// parseNPYHeader decodes the Python dictionary literal of an NPY header,
// for example {'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }.
func parseNPYHeader(b []byte) (*npyHeader, error) {
	p := &pyParser{s: string(bytes.TrimRight(b, " \t\r\n\x00"))}
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("unexpected %q after the dictionary", p.rest())
	}
	dict, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not a dictionary")
	}
	for k := range dict {
		switch k {
		case "descr", "fortran_order", "shape":
		default:
			return nil, fmt.Errorf("unknown key %q", k)
		}
	}
	h := &npyHeader{}
	descr, ok := dict["descr"].(string)
	if !ok {
		if _, present := dict["descr"]; present {
			return nil, errors.New("structured dtypes (records) are not supported; save a plain 2-D float array")
		}
		return nil, errors.New("missing 'descr'")
	}
	if err := h.setDescr(descr); err != nil {
		return nil, err
	}
	fortran, ok := dict["fortran_order"].(bool)
	if !ok {
		return nil, errors.New("missing or non-boolean 'fortran_order'")
	}
	h.fortran = fortran
	shape, ok := dict["shape"].([]any)
	if !ok {
		return nil, errors.New("missing 'shape' tuple")
	}
	for _, s := range shape {
		n, ok := s.(int)
		if !ok || n < 0 {
			return nil, fmt.Errorf("bad shape entry %v", s)
		}
		h.shape = append(h.shape, n)
	}
	return h, nil
}

// setDescr interprets a numpy type string such as "<f8" or "|u1".
func (h *npyHeader) setDescr(descr string) error {
	unsupported := fmt.Errorf("unsupported element type %q (want float32 or float64, \"<f4\"/\"<f8\", or an integer type)", descr)
	if len(descr) < 3 {
		return unsupported
	}
	switch descr[0] {
	case '<':
		h.order = binary.LittleEndian
	case '>':
		h.order = binary.BigEndian
	case '|', '=':
		// Native or not applicable: only meaningful for 1-byte types
		// here; numpy writes '<' or '>' for wider ones.
		h.order = binary.LittleEndian
	default:
		return unsupported
	}
	h.kind = descr[1]
	size, err := strconv.Atoi(descr[2:])
	if err != nil {
		return unsupported
	}
	h.size = size
	switch {
	case h.kind == 'f' && (size == 4 || size == 8):
	case (h.kind == 'i' || h.kind == 'u') && (size == 1 || size == 2 || size == 4 || size == 8):
		if size > 1 && descr[0] == '|' {
			return unsupported
		}
	default:
		return unsupported
	}
	return nil
}

// pyParser parses the small subset of Python literals that NPY headers
// use: dictionaries, tuples and lists, strings, integers, True, False and
// None. Depth is bounded so hostile input cannot exhaust the stack.
type pyParser struct {
	s string
	i int
}

const maxPyDepth = 32

func (p *pyParser) rest() string {
	r := p.s[p.i:]
	if len(r) > 20 {
		r = r[:20] + "…"
	}
	return r
}

func (p *pyParser) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *pyParser) errorf(format string, a ...any) error {
	return fmt.Errorf("at byte %d: "+format, append([]any{p.i}, a...)...)
}

func (p *pyParser) value(depth int) (any, error) {
	if depth > maxPyDepth {
		return nil, p.errorf("nested too deeply")
	}
	p.space()
	if p.i >= len(p.s) {
		return nil, p.errorf("unexpected end")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.dict(depth)
	case c == '(':
		return p.sequence(depth, ')')
	case c == '[':
		return p.sequence(depth, ']')
	case c == '\'' || c == '"':
		return p.str()
	case c == '-' || c >= '0' && c <= '9':
		return p.integer()
	default:
		for _, w := range []struct {
			word string
			v    any
		}{{"True", true}, {"False", false}, {"None", nil}} {
			if strings.HasPrefix(p.s[p.i:], w.word) {
				p.i += len(w.word)
				return w.v, nil
			}
		}
		return nil, p.errorf("unexpected %q", p.rest())
	}
}

func (p *pyParser) dict(depth int) (any, error) {
	p.i++ // '{'
	m := map[string]any{}
	for {
		p.space()
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			return m, nil
		}
		k, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		key, ok := k.(string)
		if !ok {
			return nil, p.errorf("dictionary key %v is not a string", k)
		}
		if _, dup := m[key]; dup {
			return nil, p.errorf("duplicate key %q", key)
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, p.errorf("expected ':' after key %q", key)
		}
		p.i++
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		m[key] = v
		p.space()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == '}' {
			continue
		}
		return nil, p.errorf("expected ',' or '}'")
	}
}

// sequence parses a tuple or list into []any.
func (p *pyParser) sequence(depth int, end byte) (any, error) {
	p.i++ // '(' or '['
	var xs []any
	for {
		p.space()
		if p.i < len(p.s) && p.s[p.i] == end {
			p.i++
			if xs == nil {
				xs = []any{}
			}
			return xs, nil
		}
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		xs = append(xs, v)
		p.space()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == end {
			continue
		}
		return nil, p.errorf("expected ',' or %q", end)
	}
}

func (p *pyParser) str() (any, error) {
	q := p.s[p.i]
	p.i++
	var sb strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		p.i++
		switch c {
		case q:
			return sb.String(), nil
		case '\\':
			if p.i >= len(p.s) {
				return nil, p.errorf("unterminated string")
			}
			sb.WriteByte(p.s[p.i])
			p.i++
		default:
			sb.WriteByte(c)
		}
	}
	return nil, p.errorf("unterminated string")
}

// integer parses a decimal integer; Python 2 headers may end it with 'L'.
func (p *pyParser) integer() (any, error) {
	start := p.i
	if p.s[p.i] == '-' {
		p.i++
	}
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	n, err := strconv.Atoi(p.s[start:p.i])
	if err != nil {
		p.i = start
		return nil, p.errorf("bad integer %q", p.rest())
	}
	if p.i < len(p.s) && p.s[p.i] == 'L' {
		p.i++
	}
	return n, nil
}

// WriteNPY writes n = len(data)/d samples of dimension d as a little-endian
// float64 NPY array of shape (n, d), format version 1.0, that numpy.load
// reads: the header dictionary is padded with spaces and a final newline
// so that the data starts at a multiple of 64 bytes.
//
// d < 1 or len(data) not a multiple of d panics; no samples or a
// non-finite value is an error.
func WriteNPY(w io.Writer, data []float64, d int) error {
	checkShape(data, d)
	if err := checkWritable(data, d); err != nil {
		return err
	}
	if _, err := w.Write(npyPreamble(len(data)/d, d)); err != nil {
		return fmt.Errorf("samplefile: %w", err)
	}
	return writeNPYData(w, data, d)
}

// npyPreamble returns magic, version 1.0, header length and the padded
// header for a float64 (n, d) array.
func npyPreamble(n, d int) []byte {
	dict := fmt.Sprintf("{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d), }", n, d)
	const fixed = len(npyMagic) + 2 + 2 // magic, version, uint16 length
	total := fixed + len(dict) + 1      // + '\n'
	total = (total + 63) / 64 * 64
	hlen := total - fixed
	out := make([]byte, 0, total)
	out = append(out, npyMagic...)
	out = append(out, 1, 0)
	out = binary.LittleEndian.AppendUint16(out, uint16(hlen))
	out = append(out, dict...)
	for len(out) < total-1 {
		out = append(out, ' ')
	}
	return append(out, '\n')
}
