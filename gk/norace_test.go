//go:build !race

package gk

const raceEnabled = false
