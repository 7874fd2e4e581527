package samplefile

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// ReadCSV reads samples as text: one sample per line, its d coordinates
// separated by commas; a line without any comma is split on white space
// instead (the default output of numpy.savetxt). Space around fields,
// blank lines and comment lines starting with '#' (numpy.savetxt writes
// its header so) are ignored, and "\r\n" line ends are accepted.
//
// The first non-blank line is a header, and skipped, when none of its
// fields is a number; a first line that mixes numbers and other text is an
// error, so a typo in the first sample is not mistaken for a header. Every
// sample must have as many coordinates as the first (and as the header),
// and every coordinate must be a finite decimal number: a NaN, an infinity,
// or a Go literal that strconv would take (1_000, 0x1p-2) is an
// error, as is a file without samples. Errors name the file (name) and
// the line.
func ReadCSV(r io.Reader, name string) (data []float64, d int, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<30)
	line := 0
	first := true
	var fields []string
	for sc.Scan() {
		line++
		text := sc.Text()
		if line == 1 {
			// A byte-order mark (Excel's "CSV UTF-8") is no part of the
			// first field, with or without a header.
			text = strings.TrimPrefix(text, "\ufeff")
		}
		text = strings.TrimSpace(text)
		if text == "" || text[0] == '#' {
			continue
		}
		fields = splitFields(text, fields[:0])
		if first {
			first = false
			d = len(fields)
			if isHeader(fields) {
				continue
			}
		}
		if len(fields) != d {
			return nil, 0, fmt.Errorf("samplefile: %s:%d: %d fields, want %d like the first line", name, line, len(fields), d)
		}
		for j, f := range fields {
			v, err := parseField(f)
			if err != nil {
				return nil, 0, fmt.Errorf("samplefile: %s:%d: field %d: %v", name, line, j+1, err)
			}
			data = append(data, v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, 0, fmt.Errorf("samplefile: %s:%d: %w", name, line+1, err)
	}
	if len(data) == 0 {
		if first {
			return nil, 0, fmt.Errorf("samplefile: %s: empty file", name)
		}
		return nil, 0, fmt.Errorf("samplefile: %s: a header but no samples", name)
	}
	return data, d, nil
}

// splitFields splits a trimmed, non-empty line into trimmed fields.
func splitFields(text string, dst []string) []string {
	if !strings.Contains(text, ",") {
		return append(dst, strings.Fields(text)...)
	}
	for f := range strings.SplitSeq(text, ",") {
		dst = append(dst, strings.TrimSpace(f))
	}
	return dst
}

// isHeader reports whether no field of a first line parses as a number.
// A field that parses as NaN or ±Inf, or is a number out of float64's
// range (1e999), counts as a number, so that "nan,1" or "1e999" is
// reported as a bad value rather than silently skipped.
func isHeader(fields []string) bool {
	for _, f := range fields {
		_, err := strconv.ParseFloat(f, 64)
		if ne, ok := err.(*strconv.NumError); err == nil || ok && ne.Err == strconv.ErrRange {
			return false
		}
	}
	return true
}

// parseField parses one coordinate, refusing non-finite values.
func parseField(f string) (float64, error) {
	if f == "" {
		return 0, fmt.Errorf("empty")
	}
	v, err := strconv.ParseFloat(f, 64)
	if ne, ok := err.(*strconv.NumError); (err == nil || ok && ne.Err == strconv.ErrRange) && strings.ContainsAny(f, "_xX") {
		// strconv takes Go's literals too: 1_000, 0x1p-2. A CSV number
		// is decimal; other tools read these as text.
		return 0, fmt.Errorf("%q is not a decimal number", f)
	}
	if err != nil {
		// Out-of-range values come back as ±Inf with a range error.
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange && math.IsInf(v, 0) {
			return 0, fmt.Errorf("%q overflows float64", f)
		}
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return v, nil // underflow to a subnormal or zero is harmless
		}
		return 0, fmt.Errorf("%q is not a number", f)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not finite", f)
	}
	return v, nil
}

// WriteCSV writes n = len(data)/d samples of dimension d, one per line,
// coordinates separated by commas, without a header. Numbers are written
// in the shortest form that parses back to the same float64, so
// ReadCSV(WriteCSV(x)) = x exactly.
//
// d < 1 or len(data) not a multiple of d panics; no samples or a
// non-finite value is an error.
func WriteCSV(w io.Writer, data []float64, d int) error {
	checkShape(data, d)
	if err := checkWritable(data, d); err != nil {
		return err
	}
	buf := make([]byte, 0, 32*d)
	for i := 0; i < len(data); i += d {
		buf = buf[:0]
		for j, v := range data[i : i+d] {
			if j > 0 {
				buf = append(buf, ',')
			}
			buf = strconv.AppendFloat(buf, v, 'g', -1, 64)
		}
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			return fmt.Errorf("samplefile: %w", err)
		}
	}
	return nil
}
