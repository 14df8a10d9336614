package schemas

import (
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// DecodeInteraction decodes one canonical interaction from data, a JSON
// object, and validates it. It is strict where encoding/json is lenient:
//
//   - data must be exactly one JSON value (whitespace around it allowed);
//     anything else is a [*SyntaxError] with the byte offset;
//   - a value that is not an object, an unknown top-level field (named in its
//     error), a field of the wrong JSON type (the error names the field and
//     the expected type), and a string that is not valid UTF-8 text (invalid
//     bytes or an unpaired \ud800-style escape) are [ValidationErrors];
//   - field names match exactly (encoding/json also matches "Tenant_ID");
//   - timestamps must be in the exact form of [ParseTimestamp];
//   - numbers are judged on their exact decimal value, as the schema does:
//     86400.0000000000000001 is over the limit even though it rounds to
//     86400; revision accepts any integral value (2, 2.0, 0.2e1);
//   - null for an optional field (predicted_*, hold_s, queue_wait_s,
//     transfers, customer_key, chain_id, initiation, source_refs, attributes)
//     means absent; null for a required field is a type error;
//   - a repeated field name is allowed and the last occurrence counts, as in
//     encoding/json and the schema library.
//
// Every rule of [Interaction.Validate] and of interaction.schema.json is
// applied, and every broken rule is reported at once ([ValidationErrors]).
// On a validation error the returned Interaction holds the fields that
// decoded cleanly (useful as dead-letter context); on a syntax error it is
// the zero value. source_refs and attributes are kept as their canonical
// JSON text ([SourceRefs], [Attributes]); empty objects decode as absent.
// The result shares no memory with data. Safe for concurrent use.
func DecodeInteraction(data []byte) (Interaction, error) {
	d := decoders.Get().(*decoder)
	d.data = data
	it, err := d.decode()
	d.release()
	return it, err
}

// decoders recycles decoder state, so the scratch buffers are reused.
var decoders = sync.Pool{New: func() any { return new(decoder) }}

// maxPooledBuffer bounds the scratch memory a pooled decoder keeps.
const maxPooledBuffer = 64 << 10

// release clears d (keeping small scratch buffers) and returns it to the pool.
func (d *decoder) release() {
	arena, obj, entries, order, buf := d.arena[:0], d.obj[:0], d.entries[:0], d.order[:0], d.buf[:0]
	clear(d.entries) // drop references to error values
	if cap(arena) > maxPooledBuffer || cap(obj) > maxPooledBuffer || cap(buf) > maxPooledBuffer ||
		cap(entries) > 256 || cap(order) > 256 {
		arena, obj, entries, order, buf = nil, nil, nil, nil, nil
	}
	*d = decoder{arena: arena, obj: obj, entries: entries, order: order, numSlab: d.numSlab}
	d.buf = buf
	decoders.Put(d)
}

// decoder holds the state of one DecodeInteraction call.
type decoder struct {
	scanner
	it        Interaction
	seen      uint32                      // bit per field index present
	errs      [numFields]*ValidationError // error of each field's last occurrence
	entryErrs [2][]*ValidationError       // source_refs, attributes entry errors
	unknown   []string                    // unknown field names (at most MaxErrors)
	nums      *optionalNumbers            // every optional number of the record
	numSlab   []optionalNumbers           // where the next records' nums come from

	// Every string of the record, the canonical text of source_refs and
	// attributes included, is collected in arena and converted with one
	// allocation at the end; strs locates them. The members of the two
	// objects are read into obj (entries locate them) and written to arena
	// in canonical form once the record is read.
	arena   []byte
	strs    [numFields]span // string fields that passed their checks
	strSet  uint32          // bit per field index with a valid strs entry
	maps    [2]mapEntries   // source_refs, attributes: last occurrence
	obj     []byte
	entries []rawEntry
	order   []int32 // scratch of canonical
}

func (d *decoder) decode() (Interaction, error) {
	if err := d.record(func() bool { d.pos++; return d.members() }); err != nil {
		return Interaction{}, err
	}
	if errs := d.finish(); errs != nil {
		return d.it, errs
	}
	return d.it, nil
}

// members reads the members of the top-level object after its '{'.
func (d *decoder) members() bool {
	if d.peek() == '}' {
		d.pos++
		return true
	}
	for {
		if d.peek() != '"' {
			return d.expect('"', "a string key")
		}
		key, bad, ok := d.readString()
		if !ok {
			return false
		}
		f := -1
		if !bad {
			f = fieldIndex(key)
		}
		var name string
		if f < 0 {
			name = displayKey(key)
		}
		if !d.expect(':', "':'") {
			return false
		}
		if f >= 0 {
			ok = d.field(f)
		} else {
			d.addUnknown(name)
			ok = d.skipValue()
		}
		if !ok {
			return false
		}
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return true
		default:
			return d.expect('}', "',' or '}'")
		}
	}
}

// displayKey turns an unknown field name into a Field value: itself when
// short and printable, else a quoted, shortened form.
func displayKey(key []byte) string {
	if len(key) <= maxQuoted && utf8.Valid(key) {
		printable := true
		for _, r := range string(key) {
			if !unicode.IsPrint(r) {
				printable = false
				break
			}
		}
		if printable && len(key) > 0 {
			return string(key)
		}
	}
	return quote(strings.ToValidUTF8(string(key), "\uFFFD"))
}

func (d *decoder) addUnknown(name string) {
	if slices.Contains(d.unknown, name) || len(d.unknown) >= MaxErrors {
		return
	}
	d.unknown = append(d.unknown, name)
}

func isNumberStart(c byte) bool { return c == '-' || c >= '0' && c <= '9' }

// typeError records that field f holds a value of the wrong type and skips it.
func (d *decoder) typeError(f int, want string, c byte) bool {
	d.errs[f] = verr(fieldNames[f], RuleType, "must be "+want+", got "+kindOf(c))
	return d.skipValue()
}

// field reads the value of field f; the last occurrence of a field replaces
// everything an earlier one set.
func (d *decoder) field(f int) bool {
	d.seen |= 1 << f
	d.errs[f] = nil
	c := d.peek()
	switch f {
	case fRevision:
		d.it.Revision = 0
		if !isNumberStart(c) {
			return d.typeError(f, "a whole number", c)
		}
		lit, ok := d.readNumber()
		if !ok {
			return false
		}
		n, isInt, inRange := parseInteger(lit)
		switch {
		case !isInt:
			d.errs[f] = verr(fieldNames[f], RuleInteger, revisionMessage(quoteNumber(lit)))
		case !inRange:
			d.errs[f] = verr(fieldNames[f], RuleRange, revisionMessage(quoteNumber(lit)))
		default:
			d.it.Revision = n
		}
		return true
	case fStartedAt, fEndedAt:
		dst := &d.it.StartedAt
		if f == fEndedAt {
			dst = &d.it.EndedAt
		}
		*dst = time.Time{}
		if c != '"' {
			return d.typeError(f, "a timestamp string like "+timestampExample, c)
		}
		val, bad, ok := d.readString()
		if !ok {
			return false
		}
		if bad {
			d.errs[f] = verr(fieldNames[f], RuleEncoding, "is not valid UTF-8 text")
			return true
		}
		t, reason := parseTimestamp(val)
		if reason != "" {
			d.errs[f] = verr(fieldNames[f], RuleTimestamp, timestampMessage(reason, string(val)))
			return true
		}
		*dst = t
		return true
	case fHandleTimeS:
		d.it.HandleTimeS = 0
		if !isNumberStart(c) {
			return d.typeError(f, "a number of seconds", c)
		}
		lit, ok := d.readNumber()
		if !ok {
			return false
		}
		v, in := inRange(lit, boundZero, boundHandleTime)
		if !in {
			d.errs[f] = verr(fieldNames[f], RuleRange, handleTimeMessage(quoteNumber(lit)))
			return true
		}
		d.it.HandleTimeS = v
		return true
	case fPredictedSatisfaction, fPredictedResolution:
		dst := &d.it.PredictedSatisfaction
		if f == fPredictedResolution {
			dst = &d.it.PredictedResolution
		}
		*dst = nil
		if c == 'n' {
			return d.readLiteral("null")
		}
		if !isNumberStart(c) {
			return d.typeError(f, "a number between 0 and 1 (or null)", c)
		}
		lit, ok := d.readNumber()
		if !ok {
			return false
		}
		v, in := inRange(lit, boundZero, boundOne)
		if !in {
			d.errs[f] = verr(fieldNames[f], RuleRange, probabilityMessage(quoteNumber(lit)))
			return true
		}
		p := &d.numbers().preds[f-fPredictedSatisfaction]
		*p = v
		*dst = p
		return true
	case fHoldS, fQueueWaitS, fTransfers:
		return d.optionalNumber(f, c)
	case fSourceRefs, fAttributes:
		d.maps[f-fSourceRefs] = mapEntries{}
		switch c {
		case 'n':
			return d.readLiteral("null")
		case '{':
			return d.flatObject(f == fAttributes)
		}
		if f == fSourceRefs {
			return d.typeError(f, "an object of names to strings (or null)", c)
		}
		return d.typeError(f, "an object of names to strings, numbers, true/false or null (or null)", c)
	}
	// The string fields.
	d.strSet &^= 1 << f
	if c != '"' {
		if optionalStrings&(1<<f) != 0 {
			if c == 'n' {
				return d.readLiteral("null")
			}
			return d.typeError(f, "a string (or null)", c)
		}
		return d.typeError(f, "a string", c)
	}
	val, bad, ok := d.readString()
	if !ok {
		return false
	}
	if bad {
		d.errs[f] = verr(fieldNames[f], RuleEncoding, "is not valid UTF-8 text")
		return true
	}
	if e := checkString(f, bytesString(val)); e != nil {
		d.errs[f] = e
		return true
	}
	d.strs[f] = d.addText(val)
	d.strSet |= 1 << f
	return true
}

// finish builds the strings and maps, applies the cross-field rule and
// collects the errors in order.
func (d *decoder) finish() ValidationErrors {
	refs, attrs := d.canonical(fSourceRefs), d.canonical(fAttributes)
	s := string(d.arena)
	for f := range numFields {
		if d.strSet&(1<<f) != 0 {
			*stringField(&d.it, f) = s[d.strs[f].from:d.strs[f].to]
		}
	}
	d.it.SourceRefs = SourceRefs{text: s[refs.from:refs.to]}
	d.it.Attributes = Attributes{text: s[attrs.from:attrs.to]}
	const both = 1<<fStartedAt | 1<<fEndedAt
	if d.seen&both == both && d.errs[fStartedAt] == nil && d.errs[fEndedAt] == nil &&
		d.it.EndedAt.Before(d.it.StartedAt) {
		d.errs[fEndedAt] = verr("ended_at", RuleOrder, orderMessage(
			d.it.StartedAt.Format(time.RFC3339Nano), d.it.EndedAt.Format(time.RFC3339Nano)))
	}
	var out ValidationErrors
	for f := range numFields {
		if e := d.errs[f]; e != nil {
			out.add(e)
		} else if requiredFields&(1<<f) != 0 && d.seen&(1<<f) == 0 {
			out.add(verr(fieldNames[f], RuleRequired, "is required"))
		}
		switch f {
		case fSourceRefs:
			for _, e := range d.entryErrs[0] {
				out.add(e)
			}
		case fAttributes:
			for _, e := range d.entryErrs[1] {
				out.add(e)
			}
		}
	}
	for _, name := range d.unknown {
		out.add(verr(name, RuleUnknownField, `is not a field of the interaction record; put custom data in "attributes"`))
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
