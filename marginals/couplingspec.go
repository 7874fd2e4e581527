package marginals

import (
	"fmt"
	"strconv"
	"strings"
)

// CouplingKind names a kind of coupling of the base and the data marginals.
type CouplingKind string

// The coupling kinds. A Gaussian-mixture specification can name only the
// first two: paired needs data sets with rows.
const (
	// KindIndependent draws every marginal on its own (Independent).
	KindIndependent CouplingKind = "independent"
	// KindOT puts the data samples of each block into optimal-transport
	// tuples (OT); the base stays independent.
	KindOT CouplingKind = "ot"
	// KindPaired draws one row index for all data sets, which must be
	// row-aligned data sets of equal length (Paired): the data-dependent
	// coupling of super-resolution and in-painting. The base stays
	// independent.
	KindPaired CouplingKind = "paired"
)

// CouplingSpec describes a coupling independently of its marginals: what
// a checkpoint records and a command line names. The zero value is the
// independent coupling.
type CouplingSpec struct {
	Kind CouplingKind
	// Block is, for KindOT, the number of rows assigned together (0: a
	// whole batch); see NewOT.
	Block int
}

// IsIndependent reports whether s is the independent coupling.
func (s CouplingSpec) IsIndependent() bool { return s.Kind == "" || s.Kind == KindIndependent }

// String returns the form ParseCouplingSpec reads: "independent", "ot",
// "ot:B" for blocks of B rows, or "paired".
func (s CouplingSpec) String() string {
	switch {
	case s.IsIndependent():
		return string(KindIndependent)
	case s.Kind == KindOT && s.Block > 0:
		return string(KindOT) + ":" + strconv.Itoa(s.Block)
	}
	return string(s.Kind)
}

// ParseCouplingSpec reads "independent", "ot", "ot:B" (B > 0 rows per
// assignment block) or "paired".
func ParseCouplingSpec(text string) (CouplingSpec, error) {
	name, arg, hasArg := strings.Cut(text, ":")
	switch CouplingKind(name) {
	case KindIndependent, KindPaired:
		if hasArg {
			return CouplingSpec{}, fmt.Errorf("marginals: coupling %q takes no argument", text)
		}
		return CouplingSpec{Kind: CouplingKind(name)}, nil
	case KindOT:
		s := CouplingSpec{Kind: KindOT}
		if hasArg {
			b, err := strconv.Atoi(arg)
			if err != nil || b < 1 {
				return CouplingSpec{}, fmt.Errorf("marginals: coupling %q: the block after \"ot:\" must be a positive number of rows", text)
			}
			s.Block = b
		}
		return s, nil
	}
	return CouplingSpec{}, fmt.Errorf("marginals: unknown coupling %q (want independent, ot, ot:BLOCK or paired)", text)
}

// New returns the coupling s of the base ms[0] and the data marginals
// ms[1:]. For paired, the data marginals must be *Empirical (NewPaired).
func (s CouplingSpec) New(ms ...Marginal) (Coupling, error) {
	switch {
	case s.IsIndependent():
		return NewIndependent(ms...)
	case s.Kind == KindOT:
		return NewOT(s.Block, ms...)
	case s.Kind == KindPaired:
		if len(ms) == 0 {
			return nil, fmt.Errorf("marginals: paired coupling without a base marginal")
		}
		sets := make([]*Empirical, len(ms)-1)
		for k, m := range ms[1:] {
			e, ok := m.(*Empirical)
			if !ok {
				return nil, fmt.Errorf("marginals: paired coupling: marginal %d is a %T, not a data set with rows", k+1, m)
			}
			sets[k] = e
		}
		return NewPaired(ms[0], sets...)
	}
	return nil, fmt.Errorf("marginals: unknown coupling %q", string(s.Kind))
}

// SpecOf returns the description of c when it is one of the couplings a
// CouplingSpec describes (Independent, OT, Paired), and false otherwise.
func SpecOf(c Coupling) (CouplingSpec, bool) {
	switch c := c.(type) {
	case *Independent:
		return CouplingSpec{Kind: KindIndependent}, true
	case *OT:
		return CouplingSpec{Kind: KindOT, Block: c.Block()}, true
	case *Paired:
		return CouplingSpec{Kind: KindPaired}, true
	}
	return CouplingSpec{}, false
}

// Same reports whether s and t describe the same coupling.
func (s CouplingSpec) Same(t CouplingSpec) bool { return s.String() == t.String() }
