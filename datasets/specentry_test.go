package datasets

import (
	"strings"
	"testing"

	"github.com/mmi-go/mmi/internal/fuzzcheck"
)

func TestSpecEntry(t *testing.T) {
	for _, c := range []struct {
		name string
		want SpecEntry
	}{
		{"mix3.json[0]", SpecEntry{"mix3.json", 0}},
		{"/abs/dir/MIX.JSON[12]", SpecEntry{"/abs/dir/MIX.JSON", 12}},
		{"odd[3].json[4]", SpecEntry{"odd[3].json", 4}},
		{"x.json[3].json[0]", SpecEntry{"x.json[3].json", 0}},
		{".json[9223372036854775807]", SpecEntry{".json", 9223372036854775807}},
	} {
		e, err := ParseSpecEntry(c.name)
		if err != nil || e != c.want {
			t.Errorf("ParseSpecEntry(%q) = %+v, %v; want %+v", c.name, e, err, c.want)
		}
		if s := e.String(); s != c.name {
			t.Errorf("%+v.String() = %q, want %q", e, s, c.name)
		}
	}
	for _, c := range []struct{ name, why string }{
		{"mix3.json", "no [INDEX]"},
		{"moons", "no [INDEX]"},
		{"data.csv[0]", "does not end in .json"},
		{"mix3.json[]", "not a decimal"},
		{"mix3.json[-1]", "not a decimal"},
		{"mix3.json[+1]", "not a decimal"},
		{"mix3.json[01]", "leading zeros"},
		{"mix3.json[1 ]", "not a decimal"},
		{"mix3.json[1]x", "no [INDEX]"},
		{"mix3.json[9223372036854775808]", "out of range"}, // once parsed as 0
	} {
		_, err := ParseSpecEntry(c.name)
		if err == nil || !strings.Contains(err.Error(), c.why) {
			t.Errorf("ParseSpecEntry(%q): err = %v, want one saying %q", c.name, err, c.why)
		}
	}
}

// FuzzParseSpecEntry: any name either parses to an entry whose String is
// the name itself, or gives a one-line error; and every entry of a .json
// file round-trips through String and ParseSpecEntry.
func FuzzParseSpecEntry(f *testing.F) {
	for _, s := range []string{"mix3.json[0]", "a[1].json[2]", "x.JSON[10]", "x.json[01]", "x.json[-1]", "x.json", "x.json[99999999999999999999]", "[0]", ""} {
		f.Add(s, "mix3", 1)
	}
	f.Fuzz(func(t *testing.T, name, file string, index int) {
		var e SpecEntry
		var err error
		// 16 bytes per input byte: the error quotes the name, up to four
		// bytes (\xNN) per byte of invalid UTF-8, in buffers that double;
		// 64 KiB for fmt and what the fuzzing engine allocates meanwhile.
		fuzzcheck.Bounded(t, fuzzcheck.Limit(len(name), 16, 64<<10), func() { e, err = ParseSpecEntry(name) })
		if err != nil {
			fuzzcheck.Error(t, err, "datasets: ")
		} else if e.String() != name || e.Index < 0 {
			t.Fatalf("ParseSpecEntry(%q) = %+v, which writes %q", name, e, e.String())
		}
		if index < 0 {
			index = -(index + 1)
		}
		want := SpecEntry{File: file + ".json", Index: index}
		if got, err := ParseSpecEntry(want.String()); err != nil || got != want {
			t.Fatalf("%+v: wrote %q, read back %+v, %v", want, want.String(), got, err)
		}
	})
}
