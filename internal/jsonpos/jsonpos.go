// Package jsonpos says where in a document an encoding/json error is, as
// a line and column a user can go to: encoding/json reports only a byte
// offset, and only inside its error values.
package jsonpos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Of returns ":LINE:COLUMN" (1-based, columns in bytes) of a JSON syntax
// or type error in data, ready to follow a file name, or "" for other
// errors. encoding/json gives the offset just after the offending byte (of
// a syntax error) or value (of a type error); the position is that of its
// last byte.
func Of(data []byte, err error) string {
	var off int64
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	default:
		return ""
	}
	line, col := LineColumn(data, off-1)
	return fmt.Sprintf(":%d:%d", line, col)
}

// LineColumn returns the 1-based line and column of byte off of data
// (clamped to data).
func LineColumn(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	return bytes.Count(before, []byte{'\n'}) + 1, len(before) - bytes.LastIndexByte(before, '\n')
}
