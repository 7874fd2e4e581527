package marginals

import (
	"fmt"
	"strconv"
	"strings"
)

// CouplingKind names a kind of coupling of the base and the data marginals.
type CouplingKind string

// The coupling kinds. Paired rows of several files (the data-dependent
// coupling, type Paired) will be the third; it needs its own data
// options, so it is not yet a kind a specification can name.
const (
	// KindIndependent draws every marginal on its own (Independent).
	KindIndependent CouplingKind = "independent"
	// KindOT puts the data samples of each block into optimal-transport
	// tuples (OT); the base stays independent.
	KindOT CouplingKind = "ot"
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
// or "ot:B" for blocks of B rows.
func (s CouplingSpec) String() string {
	switch {
	case s.IsIndependent():
		return string(KindIndependent)
	case s.Kind == KindOT && s.Block > 0:
		return string(KindOT) + ":" + strconv.Itoa(s.Block)
	}
	return string(s.Kind)
}

// ParseCouplingSpec reads "independent", "ot" or "ot:B" (B > 0 rows per
// assignment block).
func ParseCouplingSpec(text string) (CouplingSpec, error) {
	name, arg, hasArg := strings.Cut(text, ":")
	switch CouplingKind(name) {
	case KindIndependent:
		if hasArg {
			return CouplingSpec{}, fmt.Errorf("marginals: coupling %q takes no argument", text)
		}
		return CouplingSpec{Kind: KindIndependent}, nil
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
	return CouplingSpec{}, fmt.Errorf("marginals: unknown coupling %q (want independent, ot or ot:BLOCK)", text)
}

// New returns the coupling s of the base ms[0] and the data marginals
// ms[1:].
func (s CouplingSpec) New(ms ...Marginal) (Coupling, error) {
	switch {
	case s.IsIndependent():
		return NewIndependent(ms...)
	case s.Kind == KindOT:
		return NewOT(s.Block, ms...)
	}
	return nil, fmt.Errorf("marginals: unknown coupling %q", string(s.Kind))
}

// SpecOf returns the description of c when it is one of the couplings a
// CouplingSpec describes (Independent, OT), and false otherwise.
func SpecOf(c Coupling) (CouplingSpec, bool) {
	switch c := c.(type) {
	case *Independent:
		return CouplingSpec{Kind: KindIndependent}, true
	case *OT:
		return CouplingSpec{Kind: KindOT, Block: c.Block()}, true
	}
	return CouplingSpec{}, false
}

// Same reports whether s and t describe the same coupling.
func (s CouplingSpec) Same(t CouplingSpec) bool { return s.String() == t.String() }
