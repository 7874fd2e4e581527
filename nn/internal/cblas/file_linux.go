package cblas

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// File is the file the library was loaded from, following the dynamic
// loader's search and the symbolic links of the alternatives system
// (e.g. /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0 for
// libopenblas.so.0): the mapping of /proc/self/maps that holds
// cblas_sgemm. It is Path when that cannot be read.
func (l *Lib) File() string {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return l.path
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// start-end perms offset dev inode path
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 {
			continue
		}
		lo, hi, ok := strings.Cut(fields[0], "-")
		if !ok {
			continue
		}
		a, err1 := strconv.ParseUint(lo, 16, 64)
		b, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 == nil && err2 == nil && uint64(l.sgemm) >= a && uint64(l.sgemm) < b {
			return strings.Join(fields[5:], " ")
		}
	}
	return l.path
}
