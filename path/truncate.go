package path

import "fmt"

// Truncate returns the part of p on [0, end], retimed to [0, 1]:
// α(t) = p.α(end·t), α̇(t) = end·p.α̇(end·t), with p's breaks before end
// as its breaks. 0 < end ≤ 1; end = 1 returns p. Generation that stops
// short of the end vertex to read out the model's estimate of the end
// sample there (generate.Options.Denoise) integrates it.
func Truncate(p Path, end float64) (Path, error) {
	if !(end > 0 && end <= 1) {
		return nil, fmt.Errorf("path: truncation at t = %v, want 0 < t ≤ 1", end)
	}
	if end == 1 {
		return p, nil
	}
	return &truncated{p: p, end: end}, nil
}

type truncated struct {
	p   Path
	end float64
}

func (c *truncated) Len() int { return c.p.Len() }

func (c *truncated) Alpha(dst []float64, t float64) { c.p.Alpha(dst, c.end*t) }

// AlphaDot: at t = 1 the derivative from the left, as for every Path.
func (c *truncated) AlphaDot(dst []float64, t float64) {
	if t >= 1 {
		alphaDotLeft(c.p, dst, c.end)
	} else {
		c.p.AlphaDot(dst, c.end*t)
	}
	scale(dst, c.end)
}

func (c *truncated) AlphaDotLeft(dst []float64, t float64) {
	if t <= 0 {
		c.p.AlphaDot(dst, 0)
	} else {
		alphaDotLeft(c.p, dst, c.end*t)
	}
	scale(dst, c.end)
}

func (c *truncated) Breaks() []float64 {
	var out []float64
	for _, b := range breaksOf(c.p) {
		if b < c.end {
			out = append(out, b/c.end)
		}
	}
	return out
}
