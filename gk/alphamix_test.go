package gk

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseAlphaMix(t *testing.T) {
	a, err := ParseAlphaMix("interior:0.1,faces:0.05,edges:0.8,vertices:0.05,edge-beta:0.5", AlphaMix{})
	if err != nil {
		t.Fatal(err)
	}
	want := AlphaMix{Interior: 0.1, Faces: 0.05, Edges: 0.8, Vertices: 0.05, EdgeBeta: 0.5, DataEdges: DefaultAlphaMix.DataEdges}
	if a != want {
		t.Errorf("parsed %+v, want %+v", a, want)
	}
	// String writes what ParseAlphaMix reads back to the same value.
	b, err := ParseAlphaMix(a.String(), AlphaMix{Interior: 9})
	if err != nil || b != a {
		t.Errorf("round trip of %q: %+v, %v", a.String(), b, err)
	}
	// A key not given keeps the base's value.
	base := AlphaMix{Interior: 1, Faces: 2, Edges: 3, Vertices: 4, DataEdges: 0.5}
	c, err := ParseAlphaMix(" edges:7 ", base)
	if err != nil {
		t.Fatal(err)
	}
	if base.Edges = 7; c != base {
		t.Errorf("edges:7 on %+v gave %+v", base, c)
	}
	for _, bad := range []string{"", "edges", "edge:1", "edges:-1", "edges:NaN", "edges:1,edges:2",
		"data-edges:1.5", "interior:0,faces:0,edges:0,vertices:0", "edges:1e400"} {
		if _, err := ParseAlphaMix(bad, AlphaMix{}); err == nil || !strings.HasPrefix(err.Error(), "gk: ") {
			t.Errorf("%q: error %v", bad, err)
		}
	}
}

func ExampleParseAlphaMix() {
	// Half the draws on edges, the rest of the default unchanged.
	a, err := ParseAlphaMix("edges:0.5", DefaultAlphaMix)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a)
	// Output: interior:0.4,faces:0.1,edges:0.5,vertices:0.1,data-edges:0.75
}
