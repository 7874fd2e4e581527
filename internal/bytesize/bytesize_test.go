package bytesize

import "testing"

func TestFormat(t *testing.T) {
	for b, want := range map[float64]string{0: "0 B", 256: "256 B", 1536: "1.5 KiB", 80e9: "74.5 GiB", 1 << 70: "1.02e+03 EiB"} {
		if got := Format(b); got != want {
			t.Errorf("Format(%v) = %q, want %q", b, got, want)
		}
	}
}
