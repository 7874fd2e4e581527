package main

import (
	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/generate"
	"github.com/mmi-go/mmi/marginals"
)

// reopen returns the marginal an entry name recorded in a checkpoint
// stands for (generate.Reopen).
func reopen(name string) (marginals.Marginal, *datasets.ImageShape) { return generate.Reopen(name) }

// entryNames returns the names to record in a checkpoint for the entries
// of --data (generate.EntryNames).
func entryNames(es []datasets.Entry) []string { return generate.EntryNames(es) }
