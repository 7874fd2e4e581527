package datasets

import (
	"fmt"
	"strconv"
	"strings"
)

// SpecEntry names one marginal of a Gaussian-mixture specification: marginal
// Index (0-based) of the file File. Its String, "FILE[INDEX]" (for example
// "mix3.json[1]"), is the Entry.Name that Open gives the marginals of a
// specification and the name a checkpoint records; ParseSpecEntry reads it
// back. This type is the one place that writes and parses that form.
type SpecEntry struct {
	File  string // the specification's path, ending in ".json" (any case)
	Index int    // the marginal's position in the file, ≥ 0
}

// String returns "FILE[INDEX]".
func (e SpecEntry) String() string { return e.File + "[" + strconv.Itoa(e.Index) + "]" }

// ParseSpecEntry parses "FILE[INDEX]" as String writes it: FILE ends in
// ".json" in any letter case, INDEX is a non-negative decimal integer that
// fits an int, without a sign or leading zeros, so that
// ParseSpecEntry(s).String() == s whenever it succeeds. FILE may itself
// contain brackets: the index is the last bracketed group. The error says
// what is missing.
func ParseSpecEntry(name string) (SpecEntry, error) {
	fail := func(why string) (SpecEntry, error) {
		return SpecEntry{}, fmt.Errorf("datasets: %q is not a specification entry FILE.json[INDEX]: %s", name, why)
	}
	open := strings.LastIndexByte(name, '[')
	if open < 0 || !strings.HasSuffix(name, "]") {
		return fail("no [INDEX] at the end")
	}
	file, digits := name[:open], name[open+1:len(name)-1]
	if !strings.HasSuffix(strings.ToLower(file), ".json") {
		return fail("the file does not end in .json")
	}
	if digits == "" || strings.Trim(digits, "0123456789") != "" || (len(digits) > 1 && digits[0] == '0') {
		return fail("the index is not a decimal number without sign or leading zeros")
	}
	i, err := strconv.Atoi(digits)
	if err != nil {
		return fail("the index is out of range")
	}
	return SpecEntry{File: file, Index: i}, nil
}
