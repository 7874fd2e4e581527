package capacity

import "syscall"

// PhysicalMemory returns the machine's memory in bytes, or 0 if unknown.
func PhysicalMemory() float64 {
	var si syscall.Sysinfo_t
	if syscall.Sysinfo(&si) != nil {
		return 0
	}
	return float64(si.Totalram) * float64(si.Unit)
}

// FreeSpace returns the bytes free for an unprivileged user in the file
// system of dir, or 0 if unknown.
func FreeSpace(dir string) float64 {
	var fs syscall.Statfs_t
	if syscall.Statfs(dir, &fs) != nil {
		return 0
	}
	return float64(fs.Bavail) * float64(fs.Bsize)
}
