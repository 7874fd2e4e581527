package main

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseInts checks the parser of the --via and --weights-style index
// lists (parseInts, used by path, transfer and pathopt): no input panics;
// a refusal is a usage error (exit status 2) of one line that names the
// flag and quotes the bad item; an accepted list has one integer per
// comma-separated item, each the item's own value.
func FuzzParseInts(f *testing.F) {
	for _, s := range []string{"", "2", "1,2,3", " 1 , 2 ", "1,,2", ",", "a", "1,b", "-3", "99999999999999999999",
		"1.5", "0x10", "+4", "1;2", "\n", "1,2,\u00a03"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseInts("--via", s)
		if err != nil {
			var u usageError
			if !errors.As(err, &u) {
				t.Fatalf("%q: error %v is not a usage error", s, err)
			}
			if msg := err.Error(); strings.ContainsAny(msg, "\n\r") || !strings.HasPrefix(msg, "--via: ") {
				t.Fatalf("%q: error %q", s, msg)
			}
			return
		}
		if s == "" {
			if got != nil {
				t.Fatalf("empty list parsed as %v", got)
			}
			return
		}
		items := strings.Split(s, ",")
		if len(got) != len(items) {
			t.Fatalf("%q: %d items, %d integers %v", s, len(items), len(got), got)
		}
		for i, it := range items {
			if v, err := strconv.Atoi(strings.TrimSpace(it)); err != nil || v != got[i] {
				t.Fatalf("%q: item %d = %q parsed as %d", s, i, it, got[i])
			}
		}
	})
}
