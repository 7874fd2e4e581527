//go:build !unix

package atomicfile

import "os"

// writable is left to the rename outside Unix.
func writable(string) bool { return true }

// lockFile does not lock outside Unix: one writer per file is up to the
// user there.
func lockFile(*os.File) error { return nil }

func holder(string) string { return "" }
