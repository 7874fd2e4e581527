//go:build amd64 && !purego

package trig

import (
	"math"

	"golang.org/x/sys/cpu"
)

var haveAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// sincos2PiAVX2 is sincos2Pi on s[0 … n), n a multiple of 4, every |s_i|
// below limit; c points to consts.
//
//go:noescape
func sincos2PiAVX2(sin, cos, s *float64, n int, c *[19][4]uint64)

// consts holds the constants of sincos2PiAVX2 as bit patterns, each
// repeated over the four lanes; the order is the assembly's.
var consts = func() (c [19][4]uint64) {
	f := math.Float64bits
	v := [19]uint64{f(4), f(magic), f(0.25), f(2 * math.Pi),
		f(s0), f(s1), f(s2), f(s3), f(s4), f(s5),
		f(c0), f(c1), f(c2), f(c3), f(c4), f(c5),
		f(0.5), f(1), 1}
	for i := range c {
		for j := range c[i] {
			c[i][j] = v[i]
		}
	}
	return c
}()

// sincos2PiBlocks runs the assembly on the longest prefix of s whose
// length is a multiple of 4 and returns its length (0 without AVX2).
func sincos2PiBlocks(sin, cos, s []float64) int {
	n := len(s) &^ 3
	if !haveAVX2 || n == 0 {
		return 0
	}
	sincos2PiAVX2(&sin[0], &cos[0], &s[0], n, &consts)
	return n
}
