package clickhouse

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/agentpulse/agentpulse/schemas"
)

// The JSON of source_refs and attributes is written here rather than by
// encoding/json, which took a sixth of Apply's client CPU: keys sorted,
// strings escaped as JSON requires, numbers in the shortest form that
// parses back to the same float64. decodeRefs and decodeAttrs read it with
// encoding/json.

// appendRefs appends m as a JSON object with sorted keys.
func appendRefs(dst []byte, m map[string]string) []byte {
	var buf [16]string // a record's few keys sort without allocating
	keys := appendSortedKeys(buf[:0], m)
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
	var buf [16]string
	keys := appendSortedKeys(buf[:0], m)
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

// appendSortedKeys appends m's keys to keys and sorts them.
func appendSortedKeys[V any](keys []string, m map[string]V) []string {
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// appendJSONString appends s as a JSON string exactly as encoding/json
// writes it (the canonical encoder's escaping, shared with schemas).
func appendJSONString(dst []byte, s string) []byte { return schemas.AppendJSONString(dst, s) }
