package schemas

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// AppendJSON appends the JSON encoding of it to dst and returns the extended
// slice. The output is byte for byte what json.Marshal(it) produces for a
// valid record: fields in struct order, the optional fields omitted
// when nil or empty, map keys sorted, timestamps in
// time.RFC3339Nano in the value's own offset, numbers and strings escaped
// as encoding/json does (including its HTML-safe escaping of <, > and &).
// It uses no reflection and does not allocate beyond growing dst.
//
// AppendJSON does not validate: call Validate first if it may be invalid.
// For invalid values the output is still JSON where json.Marshal would fail
// (NaN and ±Inf are written as null; a timestamp outside years 0-9999 or with
// an odd offset is written as time.Time.AppendFormat renders it), so it must
// not be relied on. Safe for concurrent use on an unmodified value.
func (it *Interaction) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"tenant_id":`...)
	dst = appendString(dst, it.TenantID)
	dst = append(dst, `,"interaction_id":`...)
	dst = appendString(dst, it.InteractionID)
	dst = append(dst, `,"revision":`...)
	dst = strconv.AppendInt(dst, it.Revision, 10)
	dst = append(dst, `,"model":`...)
	dst = appendString(dst, it.Model)
	dst = append(dst, `,"agent_id":`...)
	dst = appendString(dst, it.AgentID)
	dst = append(dst, `,"team_id":`...)
	dst = appendString(dst, it.TeamID)
	dst = append(dst, `,"inquiry":`...)
	dst = appendString(dst, it.Inquiry)
	dst = append(dst, `,"started_at":`...)
	dst = appendTime(dst, it.StartedAt)
	dst = append(dst, `,"ended_at":`...)
	dst = appendTime(dst, it.EndedAt)
	dst = append(dst, `,"handle_time_s":`...)
	dst = appendFloat(dst, it.HandleTimeS)
	if p := it.PredictedSatisfaction; p != nil {
		dst = append(dst, `,"predicted_satisfaction":`...)
		dst = appendFloat(dst, *p)
	}
	if p := it.PredictedResolution; p != nil {
		dst = append(dst, `,"predicted_resolution":`...)
		dst = appendFloat(dst, *p)
	}
	if p := it.HoldS; p != nil {
		dst = append(dst, `,"hold_s":`...)
		dst = appendFloat(dst, *p)
	}
	if p := it.QueueWaitS; p != nil {
		dst = append(dst, `,"queue_wait_s":`...)
		dst = appendFloat(dst, *p)
	}
	if p := it.Transfers; p != nil {
		dst = append(dst, `,"transfers":`...)
		dst = strconv.AppendInt(dst, *p, 10)
	}
	if it.CustomerKey != "" {
		dst = append(dst, `,"customer_key":`...)
		dst = appendString(dst, it.CustomerKey)
	}
	if it.ChainID != "" {
		dst = append(dst, `,"chain_id":`...)
		dst = appendString(dst, it.ChainID)
	}
	if it.Initiation != "" {
		dst = append(dst, `,"initiation":`...)
		dst = appendString(dst, it.Initiation)
	}
	dst = append(dst, `,"source":`...)
	dst = appendString(dst, it.Source)
	if t := it.SourceRefs.text; t != "" {
		dst = append(dst, `,"source_refs":`...)
		dst = append(dst, t...)
	}
	if t := it.Attributes.text; t != "" {
		dst = append(dst, `,"attributes":`...)
		dst = append(dst, t...)
	}
	return append(dst, '}')
}

// maxStackKeys is how many map keys are sorted without a heap allocation.
const maxStackKeys = 32

func appendSourceRefs(dst []byte, m map[string]string) []byte {
	var small [maxStackKeys]string
	keys := small[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, k)
		dst = append(dst, ':')
		dst = appendString(dst, m[k])
	}
	return append(dst, '}')
}

func appendAttributes(dst []byte, m map[string]any) []byte {
	var small [maxStackKeys]string
	keys := small[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, k)
		dst = append(dst, ':')
		dst = appendAttrValue(dst, m[k])
	}
	return append(dst, '}')
}

func appendAttrValue(dst []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...)
	case string:
		return appendString(dst, v)
	case bool:
		return strconv.AppendBool(dst, v)
	case float64:
		return appendFloat(dst, v)
	case int:
		return strconv.AppendInt(dst, int64(v), 10)
	case int8:
		return strconv.AppendInt(dst, int64(v), 10)
	case int16:
		return strconv.AppendInt(dst, int64(v), 10)
	case int32:
		return strconv.AppendInt(dst, int64(v), 10)
	case int64:
		return strconv.AppendInt(dst, v, 10)
	case uint:
		return strconv.AppendUint(dst, uint64(v), 10)
	case uint8:
		return strconv.AppendUint(dst, uint64(v), 10)
	case uint16:
		return strconv.AppendUint(dst, uint64(v), 10)
	case uint32:
		return strconv.AppendUint(dst, uint64(v), 10)
	case uint64:
		return strconv.AppendUint(dst, v, 10)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return append(dst, "null"...)
	}
	return append(dst, b...)
}

func appendTime(dst []byte, t time.Time) []byte {
	dst = append(dst, '"')
	dst = t.AppendFormat(dst, time.RFC3339Nano)
	return append(dst, '"')
}

// appendFloat formats f as encoding/json does: like ES6 number-to-string,
// %f between 1e-6 and 1e21 and exponent form outside. NaN and ±Inf, which
// JSON cannot hold, become null.
func appendFloat(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// Clean up e-09 to e-9.
		n := len(dst)
		if n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}

// AppendJSONFloat appends f as encoding/json writes a float64 (NaN and
// ±Inf, which encoding/json refuses, as null): for encoders written by hand
// that must match json.Marshal byte for byte.
func AppendJSONFloat(dst []byte, f float64) []byte { return appendFloat(dst, f) }

const hexDigits = "0123456789abcdef"

// htmlSafe marks the ASCII bytes encoding/json writes unescaped.
var htmlSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// AppendJSONString appends s as a JSON string exactly as encoding/json
// writes it; see appendString. Other packages that write JSON by hand
// use it so that there is one escaping.
func AppendJSONString(dst []byte, s string) []byte { return appendString(dst, s) }

// appendString writes s as a JSON string exactly as encoding/json does:
// short escapes for \b \f \n \r \t, \u00XX for other control bytes and for
// <, > and &, \ufffd for each invalid UTF-8 byte, \u2028 and \u2029 escaped.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if htmlSafe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
