package samplefile

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// npyFile assembles an NPY file by hand, independently of WriteNPY: magic,
// version major.0, the header length (2 bytes for version 1, 4 otherwise),
// the dictionary padded with spaces to a multiple of 64 bytes and ended by
// '\n', then the payload.
func npyFile(major byte, dict string, payload []byte) []byte {
	lenBytes := 2
	if major > 1 {
		lenBytes = 4
	}
	pre := 6 + 2 + lenBytes
	hlen := len(dict) + 1
	hlen += (64 - (pre+hlen)%64) % 64
	var b bytes.Buffer
	b.WriteString("\x93NUMPY")
	b.Write([]byte{major, 0})
	if lenBytes == 2 {
		binary.Write(&b, binary.LittleEndian, uint16(hlen))
	} else {
		binary.Write(&b, binary.LittleEndian, uint32(hlen))
	}
	b.WriteString(dict)
	b.WriteString(strings.Repeat(" ", hlen-len(dict)-1))
	b.WriteByte('\n')
	b.Write(payload)
	return b.Bytes()
}

func dict(descr, fortran, shape string) string {
	return fmt.Sprintf("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }", descr, fortran, shape)
}

// pack encodes values with binary.Write in the given order and type.
func pack(order binary.ByteOrder, v any) []byte {
	var b bytes.Buffer
	if err := binary.Write(&b, order, v); err != nil {
		panic(err)
	}
	return b.Bytes()
}

var le, be = binary.LittleEndian, binary.BigEndian

func TestReadNPYHandmade(t *testing.T) {
	six := []float64{1.5, -2, 3, 0.25, -1e300, 7}
	six32 := []float32{1.5, -2, 3, 0.25, -1e30, 7}
	for _, c := range []struct {
		name string
		file []byte
		want []float64
		d    int
	}{
		{"v1 <f8", npyFile(1, dict("<f8", "False", "(2, 3)"), pack(le, six)), six, 3},
		{"v2 <f8", npyFile(2, dict("<f8", "False", "(3, 2)"), pack(le, six)), six, 2},
		{"v3 <f8", npyFile(3, dict("<f8", "False", "(6, 1)"), pack(le, six)), six, 1},
		{"v1 <f4", npyFile(1, dict("<f4", "False", "(2, 3)"), pack(le, six32)),
			[]float64{1.5, -2, 3, 0.25, float64(float32(-1e30)), 7}, 3},
		{"v2 <f4", npyFile(2, dict("<f4", "False", "(1, 6)"), pack(le, six32)),
			[]float64{1.5, -2, 3, 0.25, float64(float32(-1e30)), 7}, 6},
		{"v1 >f8", npyFile(1, dict(">f8", "False", "(2, 3)"), pack(be, six)), six, 3},
		{"v1 >f4", npyFile(1, dict(">f4", "False", "(3, 2)"), pack(be, six32)),
			[]float64{1.5, -2, 3, 0.25, float64(float32(-1e30)), 7}, 2},
		// Column-major storage of [[1.5 -2 3] [0.25 -1e300 7]].
		{"fortran", npyFile(1, dict("<f8", "True", "(2, 3)"), pack(le, []float64{1.5, 0.25, -2, -1e300, 3, 7})), six, 3},
		{"fortran single row", npyFile(1, dict("<f8", "True", "(1, 6)"), pack(le, six)), six, 6},
		{"|u1", npyFile(1, dict("|u1", "False", "(2, 2)"), []byte{0, 255, 7, 128}), []float64{0, 255, 7, 128}, 2},
		{"|i1", npyFile(1, dict("|i1", "False", "(1, 3)"), []byte{0x80, 0xff, 5}), []float64{-128, -1, 5}, 3},
		{"<i2", npyFile(1, dict("<i2", "False", "(1, 2)"), pack(le, []int16{-300, 12})), []float64{-300, 12}, 2},
		{">i4", npyFile(1, dict(">i4", "False", "(2, 1)"), pack(be, []int32{-70000, 3})), []float64{-70000, 3}, 1},
		{"<i8", npyFile(1, dict("<i8", "False", "(1, 2)"), pack(le, []int64{-1 << 40, 1 << 52})), []float64{-1 << 40, 1 << 52}, 2},
		{"<u8", npyFile(1, dict("<u8", "False", "(1, 1)"), pack(le, []uint64{1 << 63})), []float64{1 << 63}, 1},
		{"<u4", npyFile(1, dict("<u4", "False", "(1, 1)"), pack(le, []uint32{4000000000})), []float64{4000000000}, 1},
		{"python 2 longs, key order, double quotes",
			npyFile(1, `{"shape": (2L, 3L), "fortran_order": False, "descr": "<f8"}`, pack(le, six)), six, 3},
		{"no trailing comma, no padding",
			func() []byte {
				h := "{'descr':'<f8','fortran_order':False,'shape':(1,1)}\n"
				b := append([]byte("\x93NUMPY\x01\x00"), byte(len(h)), 0)
				return append(append(b, h...), pack(le, []float64{2})...)
			}(), []float64{2}, 1},
	} {
		got, d, err := ReadNPY(bytes.NewReader(c.file))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if d != c.d || !equalBits(got, c.want) {
			t.Errorf("%s: got %v (d=%d), want %v (d=%d)", c.name, got, d, c.want, c.d)
		}
	}
}

// TestReadNPYErrors feeds malformed and unsupported files; each must give
// an error that says what is wrong.
func TestReadNPYErrors(t *testing.T) {
	f8 := func(n int) []byte { return pack(le, make([]float64, n)) }
	huge := npyFile(1, dict("<f8", "False", "(1099511627776, 1)"), f8(3))
	for _, c := range []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "truncated"},
		{"short magic", []byte("\x93NUM"), "truncated"},
		{"no magic", append([]byte("PK\x03\x04zip!"), f8(8)...), "magic"},
		{"version 4", npyFile(4, dict("<f8", "False", "(1, 1)"), f8(1)), "version 4.0"},
		{"version 1.1", func() []byte { b := npyFile(1, dict("<f8", "False", "(1, 1)"), f8(1)); b[7] = 1; return b }(), "version 1.1"},
		{"header past end", []byte("\x93NUMPY\x01\x00\xff\x00{'descr'"), "truncated"},
		{"v2 header length absurd", []byte("\x93NUMPY\x02\x00\xff\xff\xff\xff{"), "implausibly large"},
		{"not a dict", npyFile(1, "[1, 2]", nil), "not a dictionary"},
		{"garbage header", npyFile(1, "{'descr': <f8}", nil), "unexpected"},
		{"unterminated string", npyFile(1, "{'descr: 3}", nil), "unterminated"},
		{"missing colon", npyFile(1, "{'descr' '<f8'}", nil), "expected ':'"},
		{"missing comma", npyFile(1, "{'descr': '<f8' 'shape': (1,1)}", nil), "expected ','"},
		{"trailing text", npyFile(1, dict("<f8", "False", "(1, 1)")+" x", f8(1)), "after the dictionary"},
		{"duplicate key", npyFile(1, "{'descr': '<f8', 'descr': '<f4'}", nil), "duplicate"},
		{"unknown key", npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), 'x': 1}", f8(1)), "unknown key"},
		{"missing descr", npyFile(1, "{'fortran_order': False, 'shape': (1, 1)}", f8(1)), "missing 'descr'"},
		{"missing fortran", npyFile(1, "{'descr': '<f8', 'shape': (1, 1)}", f8(1)), "fortran_order"},
		{"missing shape", npyFile(1, "{'descr': '<f8', 'fortran_order': False}", f8(1)), "shape"},
		{"shape not ints", npyFile(1, dict("<f8", "False", "('a', 1)"), f8(1)), "bad shape"},
		{"negative shape", npyFile(1, dict("<f8", "False", "(-1, 2)"), f8(2)), "bad shape"},
		{"integer overflow", npyFile(1, dict("<f8", "False", "(99999999999999999999, 2)"), f8(2)), "bad integer"},
		{"structured", npyFile(1, "{'descr': [('x', '<f8'), ('y', '<f8')], 'fortran_order': False, 'shape': (2,)}", f8(4)), "structured"},
		{"complex", npyFile(1, dict("<c16", "False", "(1, 1)"), f8(2)), "unsupported element type \"<c16\""},
		{"float16", npyFile(1, dict("<f2", "False", "(1, 1)"), []byte{0, 0}), "unsupported element type"},
		{"bool", npyFile(1, dict("|b1", "False", "(1, 1)"), []byte{1}), "unsupported element type"},
		{"object", npyFile(1, dict("|O", "False", "(1, 1)"), f8(1)), "unsupported element type"},
		{"string", npyFile(1, dict("<U10", "False", "(1, 1)"), make([]byte, 40)), "unsupported element type"},
		{"odd size", npyFile(1, dict("<i3", "False", "(1, 1)"), make([]byte, 3)), "unsupported element type"},
		{"byte order on wide int", npyFile(1, dict("|i4", "False", "(1, 1)"), make([]byte, 4)), "unsupported element type"},
		{"scalar", npyFile(1, dict("<f8", "False", "()"), f8(1)), "scalar"},
		{"1-D", npyFile(1, dict("<f8", "False", "(5,)"), f8(5)), "1-D (shape (5,))"},
		{"5-D", npyFile(1, dict("<f8", "False", "(2, 1, 2, 2, 1)"), f8(8)), "5-D (shape (2, 1, 2, 2, 1))"},
		{"2 channels", npyFile(1, dict("<f8", "False", "(1, 2, 2, 2)"), f8(8)), "of 1 or 3 channels, not 2"},
		{"images in Fortran order", npyFile(1, dict("<f8", "True", "(2, 2, 2)"), f8(8)), "Fortran"},
		{"no pixels", npyFile(1, dict("<f8", "False", "(2, 0, 2)"), nil), "no samples"},
		{"no rows", npyFile(1, dict("<f8", "False", "(0, 3)"), nil), "no samples"},
		{"no columns", npyFile(1, dict("<f8", "False", "(3, 0)"), nil), "no samples"},
		{"too large", npyFile(1, dict("<f8", "False", "(4611686018427387904, 4611686018427387904)"), f8(1)), "too large"},
		{"truncated data", npyFile(1, dict("<f8", "False", "(2, 3)"), f8(5)), "48 bytes of data, but only 40 bytes follow the header (file is truncated)"},
		{"huge claim, little data", huge, "truncated"},
		{"trailing bytes", npyFile(1, dict("<f8", "False", "(1, 2)"), f8(3)), "unexpected 8 bytes after the (1, 2) array"},
		{"NaN", npyFile(1, dict("<f8", "False", "(2, 2)"), pack(le, []float64{1, 2, 3, math.NaN()})), "sample 1, coordinate 1 is NaN"},
		{"Inf f4 fortran", npyFile(1, dict("<f4", "True", "(2, 2)"), pack(le, []float32{1, float32(math.Inf(1)), 3, 4})), "sample 1, coordinate 0 is +Inf"},
		{"deep nesting", npyFile(1, strings.Repeat("[", 100)+strings.Repeat("]", 100), nil), "nested too deeply"},
	} {
		_, _, err := ReadNPY(bytes.NewReader(c.file))
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not mention %q", c.name, err, c.want)
		}
	}
}

// TestWriteNPYHeader checks the bytes numpy requires of a version 1.0
// file: magic, version, a little-endian header length, a dictionary
// ending in '\n' with the data starting at a multiple of 64 bytes.
func TestWriteNPYHeader(t *testing.T) {
	for _, shape := range [][2]int{{1, 1}, {2, 3}, {123456789, 784}} {
		pre := npyPreamble(shape[0], shape[1])
		hlen := int(binary.LittleEndian.Uint16(pre[8:10]))
		if string(pre[:8]) != "\x93NUMPY\x01\x00" || len(pre)%64 != 0 || hlen != len(pre)-10 || pre[len(pre)-1] != '\n' {
			t.Errorf("%v: bad preamble %q", shape, pre)
		}
		want := fmt.Sprintf("{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d), }", shape[0], shape[1])
		if got := strings.TrimRight(string(pre[10:]), " \n"); got != want {
			t.Errorf("%v: header %q, want %q", shape, got, want)
		}
	}
	var b bytes.Buffer
	if err := WriteNPY(&b, []float64{1, -2.5}, 1); err != nil {
		t.Fatal(err)
	}
	if got, want := b.Bytes()[len(npyPreamble(2, 1)):], pack(le, []float64{1, -2.5}); !bytes.Equal(got, want) {
		t.Errorf("payload %x, want %x", got, want)
	}
}

// numpyPython returns a Python interpreter that can import numpy, or ""
// (pyenv shims may shadow the system python that has it).
func numpyPython() string {
	for _, py := range []string{"python3", "/usr/bin/python3", "python"} {
		if exec.Command(py, "-c", "import numpy").Run() == nil {
			return py
		}
	}
	return ""
}

// TestNumpyInterop has numpy itself load a file we wrote and write files in
// the formats it produces (version 2.0, float32, Fortran order, big-endian,
// uint8) that we must read. Skipped where numpy is not installed, unless
// MMI_REQUIRE_NUMPY is set (CI), where a missing numpy fails.
func TestNumpyInterop(t *testing.T) {
	py := numpyPython()
	if py == "" {
		if os.Getenv("MMI_REQUIRE_NUMPY") != "" { // .ci/run installs it
			t.Fatal("MMI_REQUIRE_NUMPY is set, but no python3 can import numpy")
		}
		t.Skip("python3 with numpy not available")
	}
	dir := t.TempDir()
	x := testData(50, 3)
	x[2] = 12345.678 // in float32 range
	if err := Write(filepath.Join(dir, "ours.npy"), x, 3); err != nil {
		t.Fatal(err)
	}
	script := `
import sys, numpy as np
d = sys.argv[1]
x = np.load(d + "/ours.npy")
assert x.shape == (50, 3) and x.dtype == np.float64, (x.shape, x.dtype)
with open(d + "/v2f4.npy", "wb") as f:
    np.lib.format.write_array(f, x.astype(np.float32), version=(2, 0))
np.save(d + "/fortran.npy", np.asfortranarray(x))
np.save(d + "/big.npy", x.astype(">f8"))
np.save(d + "/u8.npy", np.arange(12, dtype=np.uint8).reshape(4, 3))
np.savetxt(d + "/savetxt.csv", x, delimiter=",")
np.savetxt(d + "/savetxt_space.csv", x, header="a b c")
np.save(d + "/oned.npy", np.zeros(4))
print(repr(float(x.sum())))
`
	out, err := exec.Command(py, "-c", script, dir).CombinedOutput()
	if err != nil {
		t.Fatalf("numpy: %v\n%s", err, out)
	}
	x32 := make([]float64, len(x))
	for i, v := range x {
		x32[i] = float64(float32(v))
	}
	u8 := []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	for _, c := range []struct {
		file string
		want []float64
		d    int
	}{
		{"v2f4.npy", x32, 3},
		{"fortran.npy", x, 3},
		{"big.npy", x, 3},
		{"u8.npy", u8, 3},
	} {
		got, d, err := Read(filepath.Join(dir, c.file))
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		if d != c.d || !equalBits(got, c.want) {
			t.Errorf("%s: values differ from what numpy wrote", c.file)
		}
	}
	// numpy.savetxt prints 18 significant digits: exact for float64.
	for _, f := range []string{"savetxt.csv", "savetxt_space.csv"} {
		got, d, err := Read(filepath.Join(dir, f))
		if err != nil || d != 3 || !equalBits(got, x) {
			t.Errorf("%s: d=%d err=%v, values equal=%v", f, d, err, equalBits(got, x))
		}
	}
	if _, _, err := Read(filepath.Join(dir, "oned.npy")); err == nil || !strings.Contains(err.Error(), "oned.npy") {
		t.Errorf("1-D numpy file: err = %v, want an error naming the file", err)
	}
}

func ExampleWrite() {
	dir, _ := os.MkdirTemp("", "samplefile")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "points.npy")
	if err := Write(path, []float64{0, 1, 2, 3, 4, 5}, 2); err != nil {
		fmt.Println(err)
	}
	data, d, err := Read(path)
	fmt.Println(data, d, err)
	// Output:
	// [0 1 2 3 4 5] 2 <nil>
}

// TestReadNPYImages: arrays (n, H, W) and (n, H, W, C) are n images, each
// flattened row-major with channels innermost, exactly as stored, and
// ReadShape reports their shape.
func TestReadNPYImages(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		shape string
		want  []int
	}{
		{"(2, 3, 4)", []int{3, 4}},
		{"(2, 3, 4, 1)", []int{3, 4, 1}},
		{"(2, 1, 4, 3)", []int{1, 4, 3}},
	} {
		vals := make([]float64, 24)
		for i := range vals {
			vals[i] = float64(i)/12 - 1
		}
		f := filepath.Join(dir, "x.npy")
		if err := os.WriteFile(f, npyFile(1, dict("<f8", "False", c.shape), pack(binary.LittleEndian, vals)), 0o644); err != nil {
			t.Fatal(err)
		}
		data, shape, err := ReadShape(f)
		if err != nil || !slices.Equal(shape, c.want) || !slices.Equal(data, vals) {
			t.Errorf("%s: shape %v, err %v, data equal %v; want %v", c.shape, shape, err, slices.Equal(data, vals), c.want)
		}
		if _, d, err := Read(f); err != nil || d != 12 {
			t.Errorf("%s: Read gives d = %d, %v; want 12", c.shape, d, err)
		}
	}
}
