// Package fuzzcheck holds the checks that the fuzz targets of the decoders
// (samplefile, datasets, path, gk) share: a decoder of outside input must
// not allocate without bound on a small hostile file, and its errors must
// be one readable line that says where the fault is.
package fuzzcheck

import (
	"runtime"
	"strings"
	"testing"
)

// Allocated returns the bytes allocated on the heap while f runs. It
// counts every goroutine's allocations, so it is an upper bound on f's
// own when nothing else runs (fuzz targets run one input at a time).
func Allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// Limit is the allocation allowed for decoding an input of n bytes:
// perByte bytes for each input byte (decoded numbers, slice growth, copies)
// plus a fixed base (read buffers, chunked reads). A decoder that
// believes a header's declared size instead of the bytes present exceeds
// it by orders of magnitude.
func Limit(n, perByte int, base uint64) uint64 {
	return base + uint64(perByte)*uint64(n)
}

// Bounded runs decode and fails t if it allocates more than limit bytes.
func Bounded(t testing.TB, limit uint64, decode func()) {
	t.Helper()
	if got := Allocated(decode); got > limit {
		t.Fatalf("decoding allocated %d bytes, more than the %d allowed for this input", got, limit)
	}
}

// Error fails t unless err is one line that starts with prefix (the
// package and, where there is one, the file name) and contains every one
// of where (for example a line number or the name of the field at fault).
func Error(t testing.TB, err error, prefix string, where ...string) {
	t.Helper()
	msg := err.Error()
	if strings.ContainsAny(msg, "\n\r") {
		t.Fatalf("error spans several lines: %q", msg)
	}
	if !strings.HasPrefix(msg, prefix) {
		t.Fatalf("error %q does not start with %q", msg, prefix)
	}
	for _, w := range where {
		if !strings.Contains(msg, w) {
			t.Fatalf("error %q does not say %q", msg, w)
		}
	}
}
