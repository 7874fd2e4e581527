//go:build !linux

package cblas

// File is the file the library was loaded from; outside Linux, Path.
func (l *Lib) File() string { return l.path }
