//go:build !amd64 || purego

package trig

// sincos2PiBlocks does nothing here: Sincos2PiTo's Go loop does the work.
func sincos2PiBlocks(_, _, _ []float64) int { return 0 }
