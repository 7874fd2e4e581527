package main

import (
	"path/filepath"
	"testing"

	"github.com/mmi-go/mmi/gk"
)

// TestTrainNorm checks --norm: the within-marginal scale is smaller than
// the pooled one whenever the marginals' means differ (moons and circles,
// the digits 0 and 1), so a flag that did not reach the fit leaves the
// scales equal and fails; image data keep the pooled scale unless --norm
// is given; --resume refuses another fit; a bad value is one usage line.
func TestTrainNorm(t *testing.T) {
	dir := t.TempDir()
	scale := func(name string, args ...string) float64 {
		t.Helper()
		return trainSmall(t, filepath.Join(dir, name), args...).Normalization().Scale
	}
	vec := []string{"--data", "moons,circles"}
	pooled, within := scale("p.mmi", append(vec, "--norm", "pooled")...), scale("w.mmi", append(vec, "--norm", "within")...)
	if !(within < pooled) {
		t.Errorf("moons, circles: --norm within scale %v, pooled %v: want within < pooled", within, pooled)
	}
	if def := scale("d.mmi", vec...); def != pooledOrWithin(pooled, within) {
		t.Errorf("moons, circles: default scale %v, want the %v scale", def, vectorDefaults.norm)
	}
	img := []string{"--data", "digits:0,digits:1", "--net", "mlp"}
	imgPooled, imgDefault := scale("ip.mmi", append(img, "--norm", "pooled")...), scale("id.mmi", img...)
	if imgWithin := scale("iw.mmi", append(img, "--norm", "within")...); imgDefault != imgPooled || !(imgWithin < imgPooled) {
		t.Errorf("digits: default scale %v, pooled %v, within %v: want default = pooled > within", imgDefault, imgPooled, imgWithin)
	}
	model := filepath.Join(dir, "w.mmi")
	if code, _, stderr := mmi(t, "train", "--resume", model, "--norm", "within", "--steps", "8"); code != 0 {
		t.Errorf("resume with the same --norm: exit %d: %s", code, stderr)
	}
	wantUsage(t, "--norm within", nil, "train", "--resume", model, "--norm", "pooled", "--steps", "10")
	out := filepath.Join(dir, "x.mmi")
	wantUsage(t, "--norm", []string{out}, "train", "--data", "moons", "--norm", "own", "--steps", "5", "--out", out)
}

// pooledOrWithin picks the scale of mmi train's default for vector data.
func pooledOrWithin(pooled, within float64) float64 {
	if vectorDefaults.norm == gk.NormWithin {
		return within
	}
	return pooled
}
