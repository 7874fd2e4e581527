package gk

import "github.com/mmi-go/mmi/simplex"

// Domain returns simplex.Unbounded: the oracle's formulas hold for every
// α ≥ 0 that is not 0 (see Oracle).
func (o *Oracle) Domain() simplex.Domain { return simplex.Unbounded }
