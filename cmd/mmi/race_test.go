//go:build race

package main

// raceEnabled: the race detector slows training several times; tests that
// train a model to measure it skip under it.
const raceEnabled = true
