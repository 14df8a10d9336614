package schemas

import (
	"bytes"
	"slices"
	"unicode/utf8"
)

// span locates a string in the decoder's arena (or, for entries, in obj).
type span struct{ from, to int }

// The kinds of an entry's value.
const (
	valNull byte = iota
	valString
	valTrue
	valFalse
	valNumber
)

// rawEntry is one member of source_refs or attributes as read, before the
// canonical text is written; its name and string value live in the
// decoder's obj buffer.
type rawEntry struct {
	name        span
	nameProblem string // why the name is not allowed, "" when it is
	str         span   // the value when kind is valString
	kind        byte
	num         float64          // the value when kind is valNumber
	err         *ValidationError // the value's problem, nil when none
}

// mapEntries locates the entries of the last occurrence of a map field.
type mapEntries struct {
	from, to int
}

// addText appends b to the arena and returns where it lives.
func (d *decoder) addText(b []byte) span {
	from := len(d.arena)
	d.arena = append(d.arena, b...)
	return span{from, len(d.arena)}
}

// addObj appends b to the obj buffer and returns where it lives. A name
// that is not valid UTF-8 is stored with U+FFFD in place of the bad bytes.
func (d *decoder) addObj(b []byte, bad bool) span {
	from := len(d.obj)
	if bad {
		for len(b) > 0 {
			r, n := utf8.DecodeRune(b)
			d.obj = utf8.AppendRune(d.obj, r)
			b = b[n:]
		}
	} else {
		d.obj = append(d.obj, b...)
	}
	return span{from, len(d.obj)}
}

// entryKey reads `"name":` of a flat object into obj.
func (d *decoder) entryKey() (name span, bad, ok bool) {
	if d.peek() != '"' {
		return span{}, false, d.expect('"', "a string key")
	}
	key, bad, ok := d.readString()
	if !ok {
		return span{}, false, false
	}
	return d.addObj(key, bad), bad, d.expect(':', "':'")
}

// nextEntry consumes ',' (more=true) or '}' (more=false).
func (d *decoder) nextEntry() (more, ok bool) {
	switch d.peek() {
	case ',':
		d.pos++
		return true, true
	case '}':
		d.pos++
		return false, true
	}
	return false, d.expect('}', "',' or '}'")
}

// objBytes views s in obj.
func (d *decoder) objBytes(s span) []byte { return d.obj[s.from:s.to] }

// flatObject reads the members of source_refs (attrs=false) or attributes;
// d.pos is at its '{'.
func (d *decoder) flatObject(attrs bool) bool {
	parent, f := "source_refs", fSourceRefs
	if attrs {
		parent, f = "attributes", fAttributes
	}
	d.pos++
	d.maps[f-fSourceRefs] = mapEntries{from: len(d.entries), to: len(d.entries)}
	if d.peek() == '}' {
		d.pos++
		return true
	}
	for more := true; more; {
		var e rawEntry
		var bad, ok bool
		if e.name, bad, ok = d.entryKey(); !ok {
			return false
		}
		name := bytesString(d.objBytes(e.name))
		switch {
		case bad:
			e.nameProblem = "is not valid UTF-8 text"
		case attrs:
			e.nameProblem = attrNameProblem(name)
		case !validRefName(name):
			e.nameProblem = "is not allowed"
		}
		if ok = d.entryValue(&e, parent, attrs); !ok {
			return false
		}
		d.entries = append(d.entries, e)
		if more, ok = d.nextEntry(); !ok {
			return false
		}
	}
	d.maps[f-fSourceRefs].to = len(d.entries)
	return true
}

// entryValue reads the value of entry e.
func (d *decoder) entryValue(e *rawEntry, parent string, attrs bool) bool {
	field := func() string { return entryField(parent, string(d.objBytes(e.name))) }
	maxLen := MaxSourceRefValueLength
	if attrs {
		maxLen = MaxAttributeStringLength
	}
	c := d.peek()
	switch {
	case c == '"':
		val, vbad, ok := d.readString()
		if !ok {
			return false
		}
		if vbad {
			e.err = verr(field(), RuleEncoding, "is not valid UTF-8 text")
		} else if n := utf8.RuneCount(val); n > maxLen {
			e.err = verr(field(), RuleLength, stringTooLong(maxLen, n))
		} else {
			e.str, e.kind = d.addObj(val, false), valString
		}
		return true
	case !attrs:
		e.err = verr(field(), RuleType, "must be a string, got "+kindOf(c))
		return d.skipValue()
	case c == 't':
		e.kind = valTrue
		return d.readLiteral("true")
	case c == 'f':
		e.kind = valFalse
		return d.readLiteral("false")
	case c == 'n':
		e.kind = valNull
		return d.readLiteral("null")
	case c == '{' || c == '[':
		e.err = verr(field(), RuleType,
			"must be a string, a number, true/false or null; nested objects and arrays are not allowed, got "+kindOf(c))
		return d.skipValue()
	case isNumberStart(c):
		lit, ok := d.readNumber()
		if !ok {
			return false
		}
		if v, in := inRange(lit, boundAttrMin, boundAttrMax); in {
			e.num, e.kind = v, valNumber
		} else {
			e.err = verr(field(), RuleRange, attrNumberMessage(quoteNumber(lit)))
		}
		return true
	}
	return d.readScalar(c) // reports the syntax error
}

// canonical writes the canonical text of the last occurrence of
// source_refs or attributes (field f) to the arena and returns where it
// is (empty when the object is absent or has no valid member), and records
// the field's errors. A repeated name counts with its last value; the text
// is what encoding/json writes for the map those members make: members
// sorted by name, strings escaped as encoding/json does, numbers as it
// writes a float64. Members whose last value is bad are left out.
func (d *decoder) canonical(f int) span {
	loc := d.maps[f-fSourceRefs]
	entries := d.entries[loc.from:loc.to]
	if len(entries) == 0 {
		return span{}
	}
	// Order the entries by name, keeping record order among equal names,
	// so the last of each run is the occurrence that counts.
	order := d.order[:0]
	for i := range entries {
		order = append(order, int32(i))
	}
	slices.SortStableFunc(order, func(a, b int32) int {
		return bytes.Compare(d.objBytes(entries[a].name), d.objBytes(entries[b].name))
	})
	d.order = order
	var firstBad, problem string
	for i := range entries {
		if e := &entries[i]; e.nameProblem != "" {
			firstBad, problem = string(d.objBytes(e.name)), e.nameProblem
			break
		}
	}
	from := len(d.arena)
	d.arena = append(d.arena, '{')
	names, badNames, members := 0, 0, 0
	for i, k := range order {
		e := &entries[k]
		if i+1 < len(order) && bytes.Equal(d.objBytes(e.name), d.objBytes(entries[order[i+1]].name)) {
			continue // a later occurrence of the name counts
		}
		names++
		if e.nameProblem != "" {
			badNames++
		}
		if e.err != nil {
			d.entryErrs[f-fSourceRefs] = append(d.entryErrs[f-fSourceRefs], e.err)
			continue
		}
		if members > 0 {
			d.arena = append(d.arena, ',')
		}
		members++
		d.arena = appendString(d.arena, bytesString(d.objBytes(e.name)))
		d.arena = append(d.arena, ':')
		switch e.kind {
		case valString:
			d.arena = appendString(d.arena, bytesString(d.objBytes(e.str)))
		case valTrue:
			d.arena = append(d.arena, "true"...)
		case valFalse:
			d.arena = append(d.arena, "false"...)
		case valNumber:
			d.arena = appendFloat(d.arena, e.num)
		default:
			d.arena = append(d.arena, "null"...)
		}
	}
	name, max := fieldNames[f], MaxSourceRefs
	if f == fAttributes {
		max = MaxAttributes
	}
	switch {
	case names > max:
		d.errs[f] = verr(name, RuleMaxProperties, maxEntriesMessage(names, max))
	case badNames == 0:
	case f == fSourceRefs:
		d.errs[f] = verr(name, RuleName, refNameMessage(firstBad, badNames-1))
	default:
		d.errs[f] = verr(name, RuleName, attrNameMessage(firstBad, problem, badNames-1))
	}
	if members == 0 {
		d.arena = d.arena[:from]
		return span{}
	}
	d.arena = append(d.arena, '}')
	return span{from, len(d.arena)}
}
