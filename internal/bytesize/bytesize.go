// Package bytesize formats byte counts for messages about memory and disk.
package bytesize

import "fmt"

// Format formats a byte count with a binary unit and three significant
// digits: "1.5 GiB", "256 B".
func Format(b float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := 0
	for b >= 1024 && i < len(units)-1 {
		b /= 1024
		i++
	}
	return fmt.Sprintf("%.3g %s", b, units[i])
}
