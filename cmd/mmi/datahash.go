package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/mmi-go/mmi/datasets"
	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/internal/atomicfile"
)

// dataHashes returns the content hash of the file each entry was read
// from ("" for built-in data), or nil when no entry is a file: what a
// checkpoint records so that --resume can refuse data that changed.
func dataHashes(es []datasets.Entry) []string {
	hs := make([]string, len(es))
	found := false
	for i, e := range es {
		file := e.Name
		if se, err := datasets.ParseSpecEntry(e.Name); err == nil {
			file = se.File
		}
		if h := fileHash(file); h != "" {
			hs[i], found = h, true
		}
	}
	if !found {
		return nil
	}
	return hs
}

// fileHash is "sha256:" and the hex SHA-256 of a regular file's content,
// or "" if file is not one (a built-in name, a folder).
func fileHash(file string) string {
	f, err := atomicfile.Open(file)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// sameDataContent refuses to resume on data files whose content differs
// from what the checkpoint recorded (a name check alone, sameData, lets
// an edited or replaced file through). Checkpoints without hashes (older
// ones, built-in data) are not checked.
func sameDataContent(file string, recorded []string, es []datasets.Entry) error {
	if recorded == nil {
		return nil
	}
	now := dataHashes(es)
	for i, h := range recorded {
		if h == "" || i >= len(es) {
			continue
		}
		if now == nil || now[i] != h {
			return usagef("%s changed since %s was written (its content hash differs): resume with the data the training started on", es[i].Name, file)
		}
	}
	return nil
}

// xFourierName is --x-fourier as the checkpoint's XFeatures print it
// ("64:3", "off"), or s itself if it does not parse.
func xFourierName(s string) string {
	if xf, err := gk.ParseXFeatures(s); err == nil {
		return xf.String()
	}
	return s
}

// alphaMixName is --alpha-mix s read on the mixture base, in the form
// gk.AlphaMix.String writes, or s itself if it does not parse.
func alphaMixName(s string, base gk.AlphaMix) string {
	if a, err := gk.ParseAlphaMix(s, base); err == nil {
		return a.String()
	}
	return s
}

// checkResumeFlags refuses the flags that describe a new run (the
// network's shape and precision, the batch, the learning rate, the seed)
// when --resume is given with values other than the checkpoint's: the
// run continues as it started, and a silently ignored flag would make the
// user believe otherwise. The same values are accepted.
func checkResumeFlags(fl *pflag.FlagSet, tf *trainFlags, file string, t *gk.Trainer) error {
	cfg, set := t.Model().Config(), t.Settings()
	width := 0
	if len(cfg.Hidden) > 0 {
		width = cfg.Hidden[0]
	}
	for _, c := range []struct {
		flag      string
		given, is any
	}{
		{"hidden", tf.hidden, width},
		{"layers", tf.layers, len(cfg.Hidden)},
		{"float32", tf.float32, cfg.Float32},
		{"batch", tf.batch, set.Batch},
		{"lr", tf.lr, set.LR},
		{"seed", tf.seed, set.Seed},
		{"x-fourier", xFourierName(tf.xFourier), cfg.XFeatures.String()},
		{"precondition", tf.precondition, cfg.Precondition.On},
		{"activation", tf.activation, cfg.Activation},
		{"norm", tf.norm, set.Norm},
		{"alpha-mix", alphaMixName(tf.alphaMix, set.Alpha), set.Alpha.String()},
		{"widths", intsString(tf.widths), intsString(cfg.UNet.Widths)},
		{"blocks", tf.blocks, max(cfg.UNet.Blocks, 1)},
		{"loss-weights", givenLossWeightsName(tf.lossWeights), lossWeightsName(set.HeadWeightFloor)},
	} {
		if fl.Changed(c.flag) && fmt.Sprint(c.given) != fmt.Sprint(c.is) {
			return usagef("%s was trained with --%s %v; --resume continues that run and cannot change it to %v (start a new run for that)", file, c.flag, c.is, c.given)
		}
	}
	return nil
}
