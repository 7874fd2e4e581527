package marginals

import (
	"errors"
	"fmt"
	"math/rand/v2"
)

// Independent is the independent coupling ρ_0 ⊗ ρ_1 ⊗ … ⊗ ρ_K: every
// marginal is drawn on its own. It is the default coupling of the
// interpolant.
type Independent struct {
	ms []Marginal
}

var _ Coupling = (*Independent)(nil)

// NewIndependent couples ms independently. There must be at least one
// marginal, none nil, all of one dimension.
func NewIndependent(ms ...Marginal) (*Independent, error) {
	if len(ms) == 0 {
		return nil, errors.New("marginals: coupling of no marginals")
	}
	for k, m := range ms {
		if m == nil {
			return nil, fmt.Errorf("marginals: marginal %d is nil", k)
		}
		if m.Dim() != ms[0].Dim() {
			return nil, fmt.Errorf("marginals: marginal %d has dimension %d, marginal 0 has %d", k, m.Dim(), ms[0].Dim())
		}
	}
	return &Independent{ms: append([]Marginal(nil), ms...)}, nil
}

// Len returns K+1.
func (c *Independent) Len() int { return len(c.ms) }

// Dim returns d.
func (c *Independent) Dim() int { return c.ms[0].Dim() }

// Marginal returns ρ_k.
func (c *Independent) Marginal(k int) Marginal { return c.ms[k] }

// Sample fills dst[k] with a batch of marginal k, for k = 0 … K in order.
// It panics on mismatched sizes (see Coupling).
func (c *Independent) Sample(dst [][]float64, r *rand.Rand) {
	checkJoint(dst, c.Len(), c.Dim())
	for k, m := range c.ms {
		m.Sample(dst[k], r)
	}
}

// Paired couples a base marginal, drawn independently, with K data sets
// whose rows belong together: row i of every set is one joint observation
// (an image and its caption embedding, two measurements of one object). A
// joint draw is (x_0, S_1[j], …, S_K[j]) with x_0 ~ base and one index j
// uniform over the rows, shared by all sets.
type Paired struct {
	base Marginal
	sets []*Empirical
}

var _ Coupling = (*Paired)(nil)

// NewPaired returns the paired coupling of base (marginal 0) and sets
// (marginals 1…K). There must be at least one set; all sets must have the
// same number of rows, and base and sets the same dimension.
func NewPaired(base Marginal, sets ...*Empirical) (*Paired, error) {
	if base == nil {
		return nil, errors.New("marginals: paired coupling without a base marginal")
	}
	if len(sets) == 0 {
		return nil, errors.New("marginals: paired coupling of no data sets")
	}
	for k, s := range sets {
		if s == nil {
			return nil, fmt.Errorf("marginals: data set %d is nil", k+1)
		}
		if s.Dim() != base.Dim() {
			return nil, fmt.Errorf("marginals: data set %d has dimension %d, base has %d", k+1, s.Dim(), base.Dim())
		}
		if s.Len() != sets[0].Len() {
			return nil, fmt.Errorf("marginals: paired data set %d has %d rows, set 1 has %d", k+1, s.Len(), sets[0].Len())
		}
	}
	return &Paired{base: base, sets: append([]*Empirical(nil), sets...)}, nil
}

// Len returns K+1.
func (c *Paired) Len() int { return len(c.sets) + 1 }

// Dim returns d.
func (c *Paired) Dim() int { return c.base.Dim() }

// Marginal returns ρ_k: the base for k = 0, data set k otherwise.
func (c *Paired) Marginal(k int) Marginal {
	if k == 0 {
		return c.base
	}
	return c.sets[k-1]
}

// Sample fills dst[0] with a batch of the base, then draws for each row i
// one index j and copies row j of every set into row i of dst[1…K].
// It panics on mismatched sizes (see Coupling).
func (c *Paired) Sample(dst [][]float64, r *rand.Rand) {
	d := c.Dim()
	checkJoint(dst, c.Len(), d)
	c.base.Sample(dst[0], r)
	rows := c.sets[0].Len()
	for i := 0; i < len(dst[0])/d; i++ {
		j := r.IntN(rows)
		for k, s := range c.sets {
			copy(dst[k+1][i*d:(i+1)*d], s.Row(j))
		}
	}
}

// checkJoint panics unless dst holds k batches of one length, a multiple
// of d.
func checkJoint(dst [][]float64, k, d int) {
	if len(dst) != k {
		panic(fmt.Sprintf("marginals: %d batches for a coupling of %d marginals", len(dst), k))
	}
	for i, b := range dst {
		if len(b) != len(dst[0]) {
			panic(fmt.Sprintf("marginals: batch %d has %d numbers, batch 0 has %d", i, len(b), len(dst[0])))
		}
	}
	if len(dst[0])%d != 0 {
		panic(fmt.Sprintf("marginals: batch of %d numbers is not a multiple of dimension %d", len(dst[0]), d))
	}
}
