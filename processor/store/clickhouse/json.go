package clickhouse

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// The JSON of source_refs and attributes is written here rather than by
// encoding/json, which took a sixth of Apply's client CPU: keys sorted,
// strings escaped as JSON requires, numbers in the shortest form that
// parses back to the same float64. decodeRefs and decodeAttrs read it with
// encoding/json.

// appendRefs appends m as a JSON object with sorted keys.
func appendRefs(dst []byte, m map[string]string) []byte {
	keys := sortedKeys(m)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, k)
		dst = append(dst, ':')
		dst = appendJSONString(dst, m[k])
	}
	return append(dst, '}')
}

// appendAttrs appends m as a JSON object with sorted keys. Values of types
// other than string, float64, bool and nil (which the decoder never makes)
// go through encoding/json; NaN and ±Inf, which JSON cannot hold, fail.
func appendAttrs(dst []byte, m map[string]any) ([]byte, error) {
	keys := sortedKeys(m)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, k)
		dst = append(dst, ':')
		switch v := m[k].(type) {
		case nil:
			dst = append(dst, "null"...)
		case string:
			dst = appendJSONString(dst, v)
		case bool:
			dst = strconv.AppendBool(dst, v)
		case float64:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("attribute %q is %v, which JSON cannot hold", k, v)
			}
			dst = strconv.AppendFloat(dst, v, 'g', -1, 64)
		default:
			b, err := json.Marshal(v)
			if err != nil {
				return nil, fmt.Errorf("attribute %q: %w", k, err)
			}
			dst = append(dst, b...)
		}
	}
	return append(dst, '}'), nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string: quote, backslash and control
// characters escaped, invalid UTF-8 bytes as \ufffd (as encoding/json
// does), everything else as is.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
