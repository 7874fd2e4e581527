package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/mmi-go/mmi/gk"
	"github.com/mmi-go/mmi/simplex"
)

// defaultAlphaFloor is the δ of a bare --loss-weights alpha.
const defaultAlphaFloor = 0.05

// parseLossWeights reads --loss-weights: uniform (every head alike, δ = 0)
// or alpha[:δ] (head k weighs ∝ α_k + δ, gk.Settings.HeadWeightFloor).
func parseLossWeights(s string) (float64, error) {
	if s == "uniform" {
		return 0, nil
	}
	rest, ok := strings.CutPrefix(s, "alpha")
	if !ok || (rest != "" && !strings.HasPrefix(rest, ":")) {
		return 0, usagef("train: --loss-weights %q: want uniform or alpha:δ (for example alpha:0.05)", s)
	}
	if rest == "" {
		return defaultAlphaFloor, nil
	}
	v, err := strconv.ParseFloat(rest[1:], 64)
	if err != nil || !(v > 0) || math.IsInf(v, 0) {
		return 0, usagef("train: --loss-weights %q: δ must be a positive number (alpha:0.05)", s)
	}
	return v, nil
}

// lossWeightsName is --loss-weights as parseLossWeights reads δ: uniform
// or alpha:δ.
func lossWeightsName(δ float64) string {
	if δ == 0 {
		return "uniform"
	}
	return "alpha:" + strconv.FormatFloat(δ, 'g', -1, 64)
}

// givenLossWeightsName is --loss-weights s as lossWeightsName writes it,
// or s itself if it does not parse.
func givenLossWeightsName(s string) string {
	if δ, err := parseLossWeights(s); err == nil {
		return lossWeightsName(δ)
	}
	return s
}

// lossWeightsFlag sets the loss weights of --loss-weights, when given, or
// else the image U-Net's default (on the simplex: the ball's α can be
// negative), and describes them for the first line of output when they
// are not uniform.
func lossWeightsFlag(fl *pflag.FlagSet, tf *trainFlags, cfg gk.Config, set *gk.Settings) (string, error) {
	if fl.Changed("loss-weights") {
		δ, err := parseLossWeights(tf.lossWeights)
		if err != nil {
			return "", err
		}
		if δ > 0 && cfg.Domain.Kind == simplex.KindBall {
			return "", usagef("train: --loss-weights %s follows α on the simplex; with --domain ball use uniform", tf.lossWeights)
		}
		set.HeadWeightFloor = δ
	} else if cfg.Shape != nil && cfg.Net == gk.NetUNet && cfg.Domain.Kind != simplex.KindBall {
		set.HeadWeightFloor = imageDefaults.unetHeadFloor
	}
	if set.HeadWeightFloor == 0 {
		return "", nil
	}
	return fmt.Sprintf("; loss weights %s", lossWeightsName(set.HeadWeightFloor)), nil
}
