package schemas

import (
	"slices"
	"time"
)

// Rules of the outcome record besides those of the interaction.
const (
	// RuleKind: survey or resolution given where kind says the other one.
	RuleKind Rule = "kind"
)

// Outcome fields, in error-report order.
const (
	oTenantID = iota
	oOutcomeID
	oRevision
	oInteractionID
	oKind
	oObservedAt
	oSource
	oSurvey
	oResolution
	numOutcomeFields
)

var outcomeFieldNames = [numOutcomeFields]string{
	"tenant_id", "outcome_id", "revision", "interaction_id", "kind", "observed_at", "source", "survey", "resolution",
}

// requiredOutcomeFields has a bit per required field index.
const requiredOutcomeFields = 1<<oTenantID | 1<<oOutcomeID | 1<<oInteractionID | 1<<oKind | 1<<oObservedAt

// Exact bounds of survey numbers.
var (
	boundSurveyMin = newBound("-1000")
	boundSurveyMax = newBound("1000")
)

// DecodeOutcome decodes one outcome record from data, a JSON object, and
// validates it, with the strictness of [DecodeInteraction]: exactly one
// JSON value; unknown fields (top level and inside survey and resolution)
// refused; names matched exactly; valid UTF-8 text; numbers judged on their
// exact decimal value; null for an optional field (revision, source, and
// survey or resolution when kind names the other) means absent; the last
// of repeated names counts. An absent revision is 1.
//
// Cross-field rules: kind survey requires survey and forbids resolution,
// kind resolution the reverse (RuleKind, RuleRequired); in survey,
// scale_min < scale_max and scale_min <= score <= scale_max (RuleOrder).
//
// Errors are as for DecodeInteraction ([ValidationErrors] naming fields
// such as "survey.score", or a [*SyntaxError]); on a validation error the
// returned Outcome holds what decoded cleanly. Safe for concurrent use.
func DecodeOutcome(data []byte) (Outcome, error) {
	d := outcomeDecoder{scanner: scanner{data: data}}
	return d.decode()
}

type outcomeDecoder struct {
	scanner
	o       Outcome
	seen    uint32
	errs    [numOutcomeFields]ValidationErrors
	unknown []string
	survey  Survey
	sseen   uint8 // bits: score, scale_min, scale_max
	resol   Resolution
	rseen   uint8 // bits: resolved
}

func (d *outcomeDecoder) decode() (Outcome, error) {
	if err := d.record(func() bool { return d.object(d.member) }); err != nil {
		return Outcome{}, err
	}
	if errs := d.finish(); errs != nil {
		return d.o, errs
	}
	return d.o, nil
}

// object reads an object at '{', calling member for every key with the
// scanner before the value; member must consume the value.
func (d *outcomeDecoder) object(member func(key string, bad bool) bool) bool {
	if !d.expect('{', "'{'") {
		return false
	}
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
		if !d.expect(':', "':'") || !member(string(key), bad) {
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

func (d *outcomeDecoder) addUnknown(field string) {
	if !slices.Contains(d.unknown, field) && len(d.unknown) < MaxErrors {
		d.unknown = append(d.unknown, field)
	}
}

// setErr records the error of field f (replacing an earlier occurrence's).
func (d *outcomeDecoder) setErr(f int, e *ValidationError) {
	d.errs[f] = append(d.errs[f], e)
}

func (d *outcomeDecoder) typeError(f int, field, want string, c byte) bool {
	d.setErr(f, verr(field, RuleType, "must be "+want+", got "+kindOf(c)))
	return d.skipValue()
}

// member reads one top-level member.
func (d *outcomeDecoder) member(key string, bad bool) bool {
	f := -1
	if !bad {
		f = slices.Index(outcomeFieldNames[:], key)
	}
	if f < 0 {
		d.addUnknown(displayKey([]byte(key)))
		return d.skipValue()
	}
	d.seen |= 1 << f
	d.errs[f] = nil
	c := d.peek()
	switch f {
	case oRevision:
		d.o.Revision = 0
		if c == 'n' {
			d.seen &^= 1 << f
			return d.readLiteral("null")
		}
		if !isNumberStart(c) {
			return d.typeError(f, "revision", "a whole number", c)
		}
		lit, ok := d.readNumber()
		if !ok {
			return false
		}
		n, isInt, inRange := parseInteger(lit)
		switch {
		case !isInt:
			d.setErr(f, verr("revision", RuleInteger, revisionMessage(quoteNumber(lit))))
		case !inRange:
			d.setErr(f, verr("revision", RuleRange, revisionMessage(quoteNumber(lit))))
		default:
			d.o.Revision = n
		}
		return true
	case oObservedAt:
		d.o.ObservedAt = time.Time{}
		if c != '"' {
			return d.typeError(f, "observed_at", "a timestamp string like "+timestampExample, c)
		}
		val, bad, ok := d.readString()
		if !ok {
			return false
		}
		if bad {
			d.setErr(f, verr("observed_at", RuleEncoding, "is not valid UTF-8 text"))
			return true
		}
		t, reason := parseTimestamp(val)
		if reason != "" {
			d.setErr(f, verr("observed_at", RuleTimestamp, timestampMessage(reason, string(val))))
			return true
		}
		d.o.ObservedAt = t
		return true
	case oSurvey:
		d.o.Survey, d.sseen = nil, 0
		if c == 'n' {
			d.seen &^= 1 << f
			return d.readLiteral("null")
		}
		if c != '{' {
			return d.typeError(f, "survey", `an object such as {"score": 4, "scale_min": 1, "scale_max": 5}`, c)
		}
		d.survey = Survey{}
		if !d.object(d.surveyMember) {
			return false
		}
		d.o.Survey = &d.survey
		return true
	case oResolution:
		d.o.Resolution, d.rseen = nil, 0
		if c == 'n' {
			d.seen &^= 1 << f
			return d.readLiteral("null")
		}
		if c != '{' {
			return d.typeError(f, "resolution", `an object such as {"resolved": false, "rule": "genesys-nca"}`, c)
		}
		d.resol = Resolution{}
		if !d.object(d.resolutionMember) {
			return false
		}
		d.o.Resolution = &d.resol
		return true
	}
	// The string fields.
	dst := d.outcomeString(f)
	*dst = ""
	if c == 'n' && f == oSource {
		d.seen &^= 1 << f
		return d.readLiteral("null")
	}
	if c != '"' {
		return d.typeError(f, key, "a string", c)
	}
	val, bad, ok := d.readString()
	if !ok {
		return false
	}
	if bad {
		d.setErr(f, verr(key, RuleEncoding, "is not valid UTF-8 text"))
		return true
	}
	s := string(val)
	if e := checkOutcomeString(f, s); e != nil {
		d.setErr(f, e)
		return true
	}
	*dst = s
	return true
}

func (d *outcomeDecoder) outcomeString(f int) *string {
	switch f {
	case oTenantID:
		return &d.o.TenantID
	case oOutcomeID:
		return &d.o.OutcomeID
	case oInteractionID:
		return &d.o.InteractionID
	case oKind:
		return &d.o.Kind
	}
	return &d.o.Source
}

// checkOutcomeString applies the rules of the string field f to s.
func checkOutcomeString(f int, s string) *ValidationError {
	name := outcomeFieldNames[f]
	if s == "" {
		if f == oSource {
			return verr(name, RuleLength, "must not be empty; leave the field out (or null) when there is no value")
		}
		return verr(name, RuleRequired, "is required and must not be empty")
	}
	switch f {
	case oTenantID:
		return checkPattern(name, s, MaxIDLength, idChars, classIDFirst, classID)
	case oOutcomeID, oInteractionID:
		return checkPattern(name, s, MaxInteractionIDLength, "printable ASCII characters without spaces", 0, classVisible)
	case oSource:
		return checkPattern(name, s, MaxSourceLength, sourceChars, classLower, classSource)
	}
	if s != OutcomeSurvey && s != OutcomeResolution {
		return verr(name, RuleEnum, "must be survey or resolution, got "+quote(s))
	}
	return nil
}

// surveyMember reads one member of survey.
func (d *outcomeDecoder) surveyMember(key string, bad bool) bool {
	i := slices.Index([]string{"score", "scale_min", "scale_max"}, key)
	if bad || i < 0 {
		d.setErr(oSurvey, verr(entryField("survey", key), RuleUnknownField, "is not a field of survey (score, scale_min, scale_max)"))
		return d.skipValue()
	}
	field := "survey." + key
	d.sseen |= 1 << i
	dst := [3]*float64{&d.survey.Score, &d.survey.ScaleMin, &d.survey.ScaleMax}[i]
	*dst = 0
	d.dropErr(oSurvey, field)
	c := d.peek()
	if !isNumberStart(c) {
		return d.typeError(oSurvey, field, "a number", c)
	}
	lit, ok := d.readNumber()
	if !ok {
		return false
	}
	v, in := inRange(lit, boundSurveyMin, boundSurveyMax)
	if !in {
		d.setErr(oSurvey, verr(field, RuleRange, "must be a number between -1000 and 1000, got "+quoteNumber(lit)))
		return true
	}
	*dst = v
	return true
}

// resolutionMember reads one member of resolution.
func (d *outcomeDecoder) resolutionMember(key string, bad bool) bool {
	field := "resolution." + key
	c := d.peek()
	switch {
	case !bad && key == "resolved":
		d.rseen |= 1
		d.dropErr(oResolution, field)
		switch c {
		case 't':
			d.resol.Resolved = true
			return d.readLiteral("true")
		case 'f':
			d.resol.Resolved = false
			return d.readLiteral("false")
		}
		return d.typeError(oResolution, field, "true or false", c)
	case !bad && key == "rule":
		d.resol.Rule = ""
		d.dropErr(oResolution, field)
		if c == 'n' {
			return d.readLiteral("null")
		}
		if c != '"' {
			return d.typeError(oResolution, field, "a string (or null)", c)
		}
		val, bad, ok := d.readString()
		if !ok {
			return false
		}
		s := string(val)
		switch {
		case bad:
			d.setErr(oResolution, verr(field, RuleEncoding, "is not valid UTF-8 text"))
		case s == "":
			d.setErr(oResolution, verr(field, RuleLength, "must not be empty; leave the field out (or null) when there is no value"))
		default:
			if e := checkPattern(field, s, MaxSourceLength, sourceChars+", such as \"genesys-nca\"", classLower, classSource); e != nil {
				d.setErr(oResolution, e)
				return true
			}
			d.resol.Rule = s
		}
		return true
	}
	d.setErr(oResolution, verr(entryField("resolution", key), RuleUnknownField, "is not a field of resolution (resolved, rule)"))
	return d.skipValue()
}

// dropErr forgets an earlier occurrence's error of a nested field.
func (d *outcomeDecoder) dropErr(f int, field string) {
	d.errs[f] = slices.DeleteFunc(d.errs[f], func(e *ValidationError) bool { return e.Field == field })
}

// finish applies the required and cross-field rules and collects errors.
func (d *outcomeDecoder) finish() ValidationErrors {
	if d.seen&(1<<oRevision) == 0 && d.errs[oRevision] == nil {
		d.o.Revision = 1
	}
	if s := d.o.Survey; s != nil {
		for i, name := range []string{"score", "scale_min", "scale_max"} {
			if d.sseen&(1<<i) == 0 {
				d.setErr(oSurvey, verr("survey."+name, RuleRequired, "is required"))
			}
		}
		if len(d.errs[oSurvey]) == 0 {
			switch {
			case s.ScaleMin >= s.ScaleMax:
				d.setErr(oSurvey, verr("survey.scale_max", RuleOrder, "must be greater than scale_min ("+formatFloat(s.ScaleMin)+"), got "+formatFloat(s.ScaleMax)))
			case s.Score < s.ScaleMin || s.Score > s.ScaleMax:
				d.setErr(oSurvey, verr("survey.score", RuleOrder, "must be on the scale "+formatFloat(s.ScaleMin)+" to "+formatFloat(s.ScaleMax)+", got "+formatFloat(s.Score)))
			}
		}
	}
	if d.o.Resolution != nil && d.rseen == 0 {
		d.setErr(oResolution, verr("resolution.resolved", RuleRequired, "is required"))
	}
	if len(d.errs[oKind]) == 0 {
		d.kindRules()
	}
	var out ValidationErrors
	for f := range numOutcomeFields {
		for _, e := range d.errs[f] {
			out.add(e)
		}
		if len(d.errs[f]) == 0 && requiredOutcomeFields&(1<<f) != 0 && d.seen&(1<<f) == 0 {
			out.add(verr(outcomeFieldNames[f], RuleRequired, "is required"))
		}
	}
	for _, name := range d.unknown {
		out.add(verr(name, RuleUnknownField, "is not a field of the outcome record"))
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// kindRules: the object kind names is required, the other one absent.
func (d *outcomeDecoder) kindRules() {
	var want, other int
	switch d.o.Kind {
	case OutcomeSurvey:
		want, other = oSurvey, oResolution
	case OutcomeResolution:
		want, other = oResolution, oSurvey
	default:
		return
	}
	if d.seen&(1<<want) == 0 && len(d.errs[want]) == 0 {
		d.setErr(want, verr(outcomeFieldNames[want], RuleRequired, "is required when kind is "+d.o.Kind))
	}
	if d.seen&(1<<other) != 0 {
		d.errs[other] = ValidationErrors{verr(outcomeFieldNames[other], RuleKind,
			"must be absent when kind is "+d.o.Kind+" (send one outcome record per survey answer or resolution)")}
		if other == oSurvey {
			d.o.Survey = nil
		} else {
			d.o.Resolution = nil
		}
	}
}
