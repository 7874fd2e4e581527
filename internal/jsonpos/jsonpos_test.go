package jsonpos

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestOf(t *testing.T) {
	for _, c := range []struct {
		doc  string
		v    any
		want string
	}{
		{"x", new(any), ":1:1"},
		{"{\"a\": 1,\n \"b\": x}", new(any), ":2:7"},
		{"{\"a\":\n\n  \"s\"}", new(struct{ A int }), ":3:5"},
	} {
		err := json.Unmarshal([]byte(c.doc), c.v)
		if got := Of([]byte(c.doc), err); got != c.want {
			t.Errorf("%q: position %q, want %q (error %v)", c.doc, got, c.want, err)
		}
	}
	if got := Of(nil, errors.New("other")); got != "" {
		t.Errorf("non-JSON error: position %q", got)
	}
}
