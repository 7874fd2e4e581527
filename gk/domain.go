package gk

import "github.com/mmi-go/mmi/simplex"

// Domained is implemented by conditional expectations that know the set of
// α where they hold: a Model the domain it was trained on, an Oracle the
// unbounded ball (its formulas hold for any α ≥ 0, α ≠ 0).
type Domained interface {
	Domain() simplex.Domain
}

// DomainOf returns g's domain: g.Domain() if g is Domained, the simplex
// otherwise (a conditional that says nothing was learned on Δ^K).
func DomainOf(g Conditional) simplex.Domain {
	if d, ok := g.(Domained); ok {
		return d.Domain()
	}
	return simplex.Simplex
}

// Domain returns simplex.Unbounded: the oracle's formulas hold for every
// α ≥ 0 that is not 0 (see Oracle).
func (o *Oracle) Domain() simplex.Domain { return simplex.Unbounded }
