package schemas

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// Limits of the canonical interaction. interaction.schema.json states the
// same numbers; a test keeps them in step.
const (
	MaxIDLength              = 128       // tenant_id, agent_id, team_id
	MaxInteractionIDLength   = 256       // interaction_id
	MaxModelLength           = 32        // model
	MaxInquiryLength         = 128       // inquiry, in characters (code points)
	MaxSourceLength          = 64        // source
	MaxRevision              = 1<<53 - 1 // revision (largest integer every JSON reader holds exactly)
	MaxHandleTimeS           = 86400     // handle_time_s, 24 hours
	MaxHoldS                 = 86400     // hold_s, 24 hours
	MaxQueueWaitS            = 2592000   // queue_wait_s, 30 days (an e-mail may wait in queue for days)
	MaxTransfers             = 1000      // transfers
	MaxCustomerKeyLength     = 128       // customer_key
	MaxChainIDLength         = 256       // chain_id
	MaxSourceRefs            = 16        // entries of source_refs
	MaxSourceRefNameLength   = 64        // source_refs names
	MaxSourceRefValueLength  = 512       // source_refs values, in characters
	MaxAttributes            = 32        // entries of attributes
	MaxAttributeNameLength   = 64        // attributes names, in characters
	MaxAttributeStringLength = 512       // attributes string values, in characters
	MaxAttributeNumber       = 1<<53 - 1 // |attributes number values|
	maxQuoted                = 48        // characters of a bad value echoed in a message
	idChars                  = "letters A-Z or a-z, digits, '.', '_', '@' or '-', starting with a letter or digit"
	modelChars               = "lower-case letters a-z, digits, '_' or '-', starting with a letter (e.g. \"voice\")"
	sourceChars              = "lower-case letters a-z, digits, '.', '_' or '-', starting with a letter (e.g. \"genesys-cloud\")"
	refNameChars             = "lower-case letters a-z, digits or '_', starting with a letter (e.g. \"contact_arn\")"
)

// Exact number bounds, for the decoder's literal checks.
var (
	boundZero       = newBound("0")
	boundOne        = newBound("1")
	boundHandleTime = newBound("86400")
	boundHold       = newBound("86400")
	boundQueueWait  = newBound("2592000")
	boundTransfers  = newBound("1000")
	boundAttrMin    = newBound("-9007199254740991")
	boundAttrMax    = newBound("9007199254740991")
)

func verr(field string, rule Rule, msg string) *ValidationError {
	return &ValidationError{Field: field, Rule: rule, Message: msg}
}

// quote returns s as a Go-quoted string, cut to maxQuoted characters.
func quote(s string) string {
	if utf8.RuneCountInString(s) > maxQuoted {
		n := 0
		for i := range s {
			if n == maxQuoted {
				s = s[:i] + "…"
				break
			}
			n++
		}
	}
	return strconv.Quote(s)
}

// quoteNumber returns a number literal for a message, cut to maxQuoted bytes.
func quoteNumber(lit []byte) string {
	if len(lit) > maxQuoted {
		return string(lit[:maxQuoted]) + "…"
	}
	return string(lit)
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// checkString applies the rules of the string field f to s.
func checkString(f int, s string) *ValidationError {
	name := fieldNames[f]
	if s == "" {
		if optionalStrings&(1<<f) != 0 {
			return verr(name, RuleLength, "must not be empty; leave the field out (or null) when there is no value")
		}
		return verr(name, RuleRequired, "is required and must not be empty")
	}
	if !utf8.ValidString(s) {
		return verr(name, RuleEncoding, "is not valid UTF-8 text")
	}
	switch f {
	case fTenantID, fAgentID, fTeamID:
		return checkPattern(name, s, MaxIDLength, idChars, classIDFirst, classID)
	case fInteractionID:
		return checkPattern(name, s, MaxInteractionIDLength,
			"printable ASCII characters without spaces", 0, classVisible)
	case fCustomerKey:
		return checkPattern(name, s, MaxCustomerKeyLength,
			"printable ASCII characters without spaces", 0, classVisible)
	case fChainID:
		return checkPattern(name, s, MaxChainIDLength,
			"printable ASCII characters without spaces", 0, classVisible)
	case fInitiation:
		switch s {
		case InitiationInbound, InitiationOutbound, InitiationCallback, InitiationTransfer:
			return nil
		}
		return verr(name, RuleEnum, "must be one of inbound, outbound, callback or transfer, got "+quote(s))
	case fModel:
		return checkPattern(name, s, MaxModelLength, modelChars, classLower, classModel)
	case fSource:
		return checkPattern(name, s, MaxSourceLength, sourceChars, classLower, classSource)
	case fInquiry:
		if n := utf8.RuneCountInString(s); n > MaxInquiryLength {
			return verr(name, RuleLength, "must be at most 128 characters, got "+strconv.Itoa(n))
		}
		for _, r := range s {
			if isControl(r) {
				return verr(name, RuleFormat, "must not contain control characters (tabs, line breaks and the like), got "+quote(s))
			}
		}
	}
	return nil
}

// checkPattern checks an ASCII-only identifier: 1..max characters, the
// first in class first (when not 0), all in class rest.
func checkPattern(name, s string, max int, chars string, first, rest uint8) *ValidationError {
	if n := utf8.RuneCountInString(s); n > max {
		return verr(name, RuleLength, stringTooLong(max, n))
	}
	bad := first != 0 && charClass[s[0]]&first == 0
	for i := 0; i < len(s) && !bad; i++ {
		bad = charClass[s[i]]&rest == 0
	}
	if bad {
		return verr(name, RuleFormat, "must be 1 to "+strconv.Itoa(max)+" "+chars+"; got "+quote(s))
	}
	return nil
}

// Character classes of the identifier patterns, as bits of charClass.
const (
	classIDFirst uint8 = 1 << iota // [A-Za-z0-9]
	classID                        // [A-Za-z0-9._@-]
	classVisible                   // [!-~]
	classLower                     // [a-z]
	classModel                     // [a-z0-9_-]
	classSource                    // [a-z0-9._-]
	classRefName                   // [a-z0-9_]
)

var charClass = func() (t [256]uint8) {
	for c := range 256 {
		lower := c >= 'a' && c <= 'z'
		digit := c >= '0' && c <= '9'
		alnum := lower || digit || c >= 'A' && c <= 'Z'
		set := func(bit uint8, ok bool) {
			if ok {
				t[c] |= bit
			}
		}
		set(classIDFirst, alnum)
		set(classID, alnum || c == '.' || c == '_' || c == '@' || c == '-')
		set(classVisible, c >= '!' && c <= '~')
		set(classLower, lower)
		set(classModel, lower || digit || c == '_' || c == '-')
		set(classSource, lower || digit || c == '.' || c == '_' || c == '-')
		set(classRefName, lower || digit || c == '_')
	}
	return t
}()

// isControl reports whether r is a control character (Unicode category Cc).
func isControl(r rune) bool { return r < 0x20 || r >= 0x7f && r <= 0x9f }

// validRefName reports whether s is an allowed source_refs name.
func validRefName(s string) bool {
	if len(s) == 0 || len(s) > MaxSourceRefNameLength || charClass[s[0]]&classLower == 0 {
		return false
	}
	for i := 1; i < len(s); i++ {
		if charClass[s[i]]&classRefName == 0 {
			return false
		}
	}
	return true
}

// attrNameProblem returns why s is not an allowed attributes name, or "".
func attrNameProblem(s string) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8 text"
	}
	if n := utf8.RuneCountInString(s); n < 1 || n > MaxAttributeNameLength {
		return "must be 1 to 64 characters long"
	}
	return ""
}

func revisionMessage(got string) string {
	return "must be a whole number between 1 and 9007199254740991, got " + got
}

func handleTimeMessage(got string) string {
	return "must be between 0 and 86400 seconds (24 hours), got " + got
}

func holdMessage(got string) string {
	return "must be between 0 and 86400 seconds (24 hours), got " + got
}

func queueWaitMessage(got string) string {
	return "must be between 0 and 2592000 seconds (30 days), got " + got
}

func transfersMessage(got string) string {
	return "must be a whole number between 0 and 1000, got " + got
}

func probabilityMessage(got string) string {
	return "must be a probability between 0 and 1, got " + got
}

func attrNumberMessage(got string) string {
	return "must be a number between -9007199254740991 and 9007199254740991, got " + got
}

func maxEntriesMessage(n, max int) string {
	return "has " + strconv.Itoa(n) + " entries; at most " + strconv.Itoa(max) + " are allowed"
}

func refNameMessage(name string, more int) string {
	m := "name " + quote(name) + " is not allowed"
	if more > 0 {
		m += " (nor " + strconv.Itoa(more) + " other names)"
	}
	return m + ": names must be 1 to 64 " + refNameChars
}

func attrNameMessage(name, problem string, more int) string {
	m := "name " + quote(name) + " " + problem
	if more > 0 {
		m += " (and " + strconv.Itoa(more) + " other names are not allowed either)"
	}
	return m
}

func timestampMessage(reason, got string) string {
	return "must be an RFC 3339 timestamp like " + timestampExample + "; " + reason + "; got " + quote(got)
}

func orderMessage(started, ended string) string {
	return "must not be before started_at (" + started + "), got " + ended
}

func stringTooLong(max, n int) string {
	return "must be at most " + strconv.Itoa(max) + " characters, got " + strconv.Itoa(n)
}

// finite reports whether f is neither NaN nor infinite.
func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// entryField names the entry key of the map field parent: parent.key, or
// parent["key"] when key is not made of [A-Za-z0-9_-].
func entryField(parent, key string) string {
	simple := key != ""
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			simple = false
			break
		}
	}
	if simple {
		return parent + "." + key
	}
	return parent + "[" + quote(key) + "]"
}
