package schemas

import (
	"slices"
	"unicode/utf8"
)

// span locates a string in the decoder's arena.
type span struct{ from, to int }

// rawEntry is one member of source_refs or attributes as read, before the
// map is built (strings live in the arena until the end of decoding, so the
// whole record costs one string allocation).
type rawEntry struct {
	name        span
	nameProblem string // why the name is not allowed, "" when it is
	str         span   // the value when isStr
	isStr       bool
	val         any              // the value when !isStr (bool, nil or float64)
	err         *ValidationError // the value's problem, nil when none
}

// mapEntries locates the entries of the last occurrence of a map field.
type mapEntries struct {
	from, to int
}

// addText appends b to the arena and returns where it lives. A name that
// is not valid UTF-8 is stored with U+FFFD in place of the bad bytes.
func (d *decoder) addText(b []byte, bad bool) span {
	from := len(d.arena)
	if bad {
		for len(b) > 0 {
			r, n := utf8.DecodeRune(b)
			d.arena = utf8.AppendRune(d.arena, r)
			b = b[n:]
		}
	} else {
		d.arena = append(d.arena, b...)
	}
	return span{from, len(d.arena)}
}

// entryKey reads `"name":` of a flat object into the arena.
func (d *decoder) entryKey() (name span, bad, ok bool) {
	if d.peek() != '"' {
		return span{}, false, d.expect('"', "a string key")
	}
	key, bad, ok := d.readString()
	if !ok {
		return span{}, false, false
	}
	return d.addText(key, bad), bad, d.expect(':', "':'")
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

// arenaString views s in the arena without copying, for checks and error
// messages that copy what they keep.
func (d *decoder) arenaString(s span) string { return bytesString(d.arena[s.from:s.to]) }

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
		name := d.arenaString(e.name)
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
	field := func() string { return entryField(parent, string(d.arena[e.name.from:e.name.to])) }
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
			e.str, e.isStr = d.addText(val, false), true
		}
		return true
	case !attrs:
		e.err = verr(field(), RuleType, "must be a string, got "+kindOf(c))
		return d.skipValue()
	case c == 't':
		e.val = true
		return d.readLiteral("true")
	case c == 'f':
		e.val = false
		return d.readLiteral("false")
	case c == 'n':
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
			e.val = v
		} else {
			e.err = verr(field(), RuleRange, attrNumberMessage(quoteNumber(lit)))
		}
		return true
	}
	return d.readScalar(c) // reports the syntax error
}

// buildMap turns the entries of the last occurrence of source_refs or
// attributes into the record's map, with last-occurrence-wins semantics for
// repeated names, and records the field's errors. s is the arena as a string.
func (d *decoder) buildMap(f int, s string) {
	loc := d.maps[f-fSourceRefs]
	entries := d.entries[loc.from:loc.to]
	if len(entries) == 0 {
		return
	}
	var refs map[string]string
	var attrs map[string]any
	if f == fSourceRefs {
		refs = make(map[string]string, len(entries))
	} else {
		attrs = make(map[string]any, len(entries))
	}
	var errs map[string]*ValidationError // entries whose last value is bad
	var firstBad, problem string
	var badNames map[string]struct{}
	for i := range entries {
		e := &entries[i]
		name := s[e.name.from:e.name.to]
		if e.nameProblem != "" {
			if badNames == nil {
				badNames = make(map[string]struct{})
				firstBad, problem = name, e.nameProblem
			}
			badNames[name] = struct{}{}
		}
		if e.err != nil {
			if errs == nil {
				errs = make(map[string]*ValidationError)
			}
			errs[name] = e.err
			delete(refs, name)
			delete(attrs, name)
			continue
		}
		delete(errs, name)
		switch {
		case refs != nil:
			refs[name] = s[e.str.from:e.str.to]
		case e.isStr:
			attrs[name] = s[e.str.from:e.str.to]
		default:
			attrs[name] = e.val
		}
	}
	n := len(refs) + len(attrs) + len(errs)
	name, max := fieldNames[f], MaxSourceRefs
	if f == fAttributes {
		max = MaxAttributes
	}
	switch {
	case n > max:
		d.errs[f] = verr(name, RuleMaxProperties, maxEntriesMessage(n, max))
	case badNames == nil:
	case f == fSourceRefs:
		d.errs[f] = verr(name, RuleName, refNameMessage(firstBad, len(badNames)-1))
	default:
		d.errs[f] = verr(name, RuleName, attrNameMessage(firstBad, problem, len(badNames)-1))
	}
	if len(errs) > 0 {
		names := make([]string, 0, len(errs))
		for k := range errs {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			d.entryErrs[f-fSourceRefs] = append(d.entryErrs[f-fSourceRefs], errs[k])
		}
	}
	if f == fSourceRefs && len(refs) > 0 {
		d.it.SourceRefs = refs
	}
	if f == fAttributes && len(attrs) > 0 {
		d.it.Attributes = attrs
	}
}
