package samplefile

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func TestReadCSV(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     []float64
		d        int
	}{
		{"plain", "1,2\n3,4\n", []float64{1, 2, 3, 4}, 2},
		{"no final newline", "1,2\n3,4", []float64{1, 2, 3, 4}, 2},
		{"header", "x,y\n1,2\n3,4\n", []float64{1, 2, 3, 4}, 2},
		{"quoted header", "\"a\", \"b\"\n1,2\n", []float64{1, 2}, 2},
		{"spaces and CRLF", " 1.5 ,\t-2e3 \r\n\r\n  3 , 4\r\n", []float64{1.5, -2e3, 3, 4}, 2},
		{"blank lines first", "\n\n  \nx\n1\n2\n", []float64{1, 2}, 1},
		{"comments", "# made by numpy\n#x y\n1 2\n # more\n3 4\n", []float64{1, 2, 3, 4}, 2},
		{"one column", "5\n-6\n", []float64{5, -6}, 1},
		{"whitespace separated (numpy.savetxt)", "1.000000000000000000e+00 2.5\n3 4\n", []float64{1, 2.5, 3, 4}, 2},
		{"underflow", "0.25,1e-400\n", []float64{0.25, 0}, 2},
	} {
		got, d, err := ReadCSV(strings.NewReader(c.in), "t.csv")
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if d != c.d || fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: got %v (d=%d), want %v (d=%d)", c.name, got, d, c.want, c.d)
		}
	}
}

// TestReadCSVErrors checks that each kind of bad input is refused with a
// message naming the file and the offending line.
func TestReadCSVErrors(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     []string // substrings of the error
	}{
		{"empty", "", []string{"t.csv", "empty file"}},
		{"only blank", "\n \n", []string{"t.csv", "empty file"}},
		{"header only", "a,b\n", []string{"t.csv", "no samples"}},
		{"non-numeric", "1,2\n3,x\n", []string{"t.csv:2", "field 2", `"x" is not a number`}},
		{"non-numeric after header", "a,b\n1,2\n\n3,\n", []string{"t.csv:4", "field 2", "empty"}},
		{"ragged short", "1,2,3\n4,5\n", []string{"t.csv:2", "2 fields, want 3"}},
		{"ragged long", "h\n1\n2,3\n", []string{"t.csv:3", "2 fields, want 1"}},
		{"ragged header", "a,b\n1,2,3\n", []string{"t.csv:2", "3 fields, want 2"}},
		{"NaN", "1,2\nNaN,4\n", []string{"t.csv:2", "field 1", "not finite"}},
		{"nan first line", "nan,1\n", []string{"t.csv:1", "not finite"}},
		{"Inf", "1,2\n3,-inf\n", []string{"t.csv:2", "field 2", "not finite"}},
		{"overflow", "1,2\n3,1e999\n", []string{"t.csv:2", "overflows"}},
		{"overflow in the first line is not a header", "1e999\n2\n", []string{"t.csv:1", "overflows"}},
		{"mixed first line", "1,x\n2,3\n", []string{"t.csv:1", "field 2", "not a number"}},
		// Go literals that strconv takes but no CSV reader would (issue 20).
		{"underscores", "1,2\n1_000,3\n", []string{"t.csv:2", "field 1", "not a decimal number"}},
		{"hex float", "1,2\n0x1p-2,3\n", []string{"t.csv:2", "field 1", "not a decimal number"}},
	} {
		_, _, err := ReadCSV(strings.NewReader(c.in), "t.csv")
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", c.name, err, w)
			}
		}
		if !strings.HasPrefix(err.Error(), "samplefile: ") {
			t.Errorf("%s: error %q lacks the package prefix", c.name, err)
		}
	}
}

// TestWriteCSVFormat pins the text form: shortest round-trip numbers,
// commas, one row per line, no header.
func TestWriteCSVFormat(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCSV(&b, []float64{0.1, -2, 1e21, 3.5e-7}, 2); err != nil {
		t.Fatal(err)
	}
	if want := "0.1,-2\n1e+21,3.5e-07\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func ExampleReadCSV() {
	in := "x, y\n0.5, 1\n-2, 3e2\n"
	data, d, err := ReadCSV(strings.NewReader(in), "points.csv")
	fmt.Println(data, d, err)
	_, _, err = ReadCSV(strings.NewReader("x,y\n1,2\n3\n"), "points.csv")
	fmt.Println(err)
	// Output:
	// [0.5 1 -2 300] 2 <nil>
	// samplefile: points.csv:3: 1 fields, want 2 like the first line
}

// TestReadCSVByteOrderMark: a UTF-8 byte-order mark before the first line
// is skipped with a header and without one (issue 20: it was accepted
// only before a header).
func TestReadCSVByteOrderMark(t *testing.T) {
	for _, in := range []string{"\ufeffx,y\n1,2\n3,4\n", "\ufeff1,2\n3,4\n"} {
		x, d, err := ReadCSV(strings.NewReader(in), "t.csv")
		if err != nil || d != 2 || len(x) != 4 || x[0] != 1 || x[3] != 4 {
			t.Errorf("%q: %v, d %d, err %v", in, x, d, err)
		}
	}
}
