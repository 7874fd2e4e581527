package marginals

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Empirical is the empirical distribution (1/N) Σ_i δ_{x_i} of N rows of a
// data set: a draw is a row chosen uniformly, with replacement. Data
// marginals (built-in sets, classes, the user's sample files) are
// Empirical.
type Empirical struct {
	rows []float64
	d    int
}

var _ Marginal = (*Empirical)(nil)

// NewEmpirical returns the empirical distribution of the len(rows)/d rows
// of rows (row-major). rows must be non-empty, a multiple of d long and
// finite. The Empirical keeps rows without copying (a data set can be
// hundreds of megabytes); the caller must not change it afterwards.
func NewEmpirical(rows []float64, d int) (*Empirical, error) {
	if d <= 0 {
		return nil, fmt.Errorf("marginals: empirical dimension %d, must be positive", d)
	}
	if len(rows) == 0 {
		return nil, errors.New("marginals: empirical distribution of no rows")
	}
	if len(rows)%d != 0 {
		return nil, fmt.Errorf("marginals: %d numbers do not make rows of dimension %d", len(rows), d)
	}
	for i, v := range rows {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("marginals: row %d, column %d is %v", i/d, i%d, v)
		}
	}
	return &Empirical{rows: rows, d: d}, nil
}

// Dim returns d.
func (e *Empirical) Dim() int { return e.d }

// Len returns the number of rows N.
func (e *Empirical) Len() int { return len(e.rows) / e.d }

// Row returns row i, a view into the data that must not be modified.
// It panics unless 0 ≤ i < Len().
func (e *Empirical) Row(i int) []float64 {
	return e.rows[i*e.d : (i+1)*e.d : (i+1)*e.d]
}

// Sample fills dst with len(dst)/d rows drawn uniformly with replacement.
// It panics if len(dst) is not a multiple of d.
func (e *Empirical) Sample(dst []float64, r *rand.Rand) {
	if len(dst)%e.d != 0 {
		panic(fmt.Sprintf("marginals: batch of %d numbers is not a multiple of dimension %d", len(dst), e.d))
	}
	n := e.Len()
	for i := 0; i < len(dst)/e.d; i++ {
		copy(dst[i*e.d:(i+1)*e.d], e.Row(r.IntN(n)))
	}
}
