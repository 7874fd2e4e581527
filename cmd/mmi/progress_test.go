package main

import (
	"strings"
	"testing"
	"time"
)

// TestProgressTimeLeft: the time left of a run too long for a
// time.Duration (--steps 9223372036854775807) is in years, not negative
// (issue 20).
func TestProgressTimeLeft(t *testing.T) {
	var b strings.Builder
	p := newProgress(&b, 0, 1<<63-1, "train")
	p.start = time.Now().Add(-time.Second)
	p.update(10, "")
	if line := b.String(); strings.Contains(line, "left -") || !strings.Contains(line, "years") {
		t.Errorf("progress line %q", line)
	}
	if got := timeLeft(90); got != "1m30s" {
		t.Errorf("timeLeft(90) = %q", got)
	}
}
