//go:build !linux

package capacity

// PhysicalMemory is unknown outside Linux: no up-front refusal.
func PhysicalMemory() float64 { return 0 }

// FreeSpace is unknown outside Linux: no up-front refusal.
func FreeSpace(string) float64 { return 0 }
