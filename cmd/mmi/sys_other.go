//go:build !linux

package main

// physicalMemory is unknown outside Linux: no up-front refusal.
func physicalMemory() float64 { return 0 }

// freeSpace is unknown outside Linux: no up-front refusal.
func freeSpace(string) float64 { return 0 }
