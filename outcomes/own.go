package outcomes

import "strings"

// ownStrings gives the strings fields points to (nil ones skipped) their
// own copy, in one allocation. A decoded record's strings are substrings
// of one string per record (its source refs, attributes and every other
// field too), which a kept contact would otherwise pin whole for its ~33
// days: AddContact copies its id, customer key (unless another contact's)
// and chain id.
func ownStrings(fields ...*string) {
	n := 0
	for _, f := range fields {
		if f != nil {
			n += len(*f)
		}
	}
	var b strings.Builder
	b.Grow(n)
	for _, f := range fields {
		if f != nil {
			b.WriteString(*f)
		}
	}
	own, at := b.String(), 0
	for _, f := range fields {
		if f != nil {
			*f, at = own[at:at+len(*f)], at+len(*f)
		}
	}
}
