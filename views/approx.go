package views

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"time"
)

// RelTolerance is the relative tolerance of AlmostEqual.
const RelTolerance = 1e-9

// AlmostEqual reports whether a and b are equal within a relative 1e-9:
// a == b, or |a − b| ≤ 1e-9 × max(|a|, |b|). NaN equals nothing. It
// compares a figure with one computed by hand in another order of
// operations; a store's figures equal the reference's exactly (ExactDiff).
func AlmostEqual(a, b float64) bool {
	if a == b {
		return true
	}
	return math.Abs(a-b) <= RelTolerance*max(math.Abs(a), math.Abs(b))
}

// ApproxDiff compares two values of the same type field by field and
// returns one line per difference (nil when they match): float64 values
// with AlmostEqual, time.Time with Equal, everything else exactly. Pointers,
// slices, maps and structs are walked. It is meant for tests that compare
// answers with hand-computed ones; compare a store-backed view's answers
// with the reference's with ExactDiff.
func ApproxDiff(a, b any) []string {
	var out []string
	diffValue(&out, "", reflect.ValueOf(a), reflect.ValueOf(b), AlmostEqual)
	return out
}

// ExactDiff is ApproxDiff with float64 values compared bit for bit (the
// same IEEE 754 bits, so 0 and -0 differ and a NaN equals the same NaN).
// Every figure is computed from Sums on the grid (grid.go) by one
// expression, so a store-backed view's answers have the reference's bits:
// differential tests compare with ExactDiff.
func ExactDiff(a, b any) []string {
	var out []string
	diffValue(&out, "", reflect.ValueOf(a), reflect.ValueOf(b), sameBits)
	return out
}

func sameBits(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }

var timeType = reflect.TypeFor[time.Time]()

func diffValue(out *[]string, path string, a, b reflect.Value, eq func(a, b float64) bool) {
	if !a.IsValid() || !b.IsValid() {
		if a.IsValid() != b.IsValid() {
			*out = append(*out, fmt.Sprintf("%s: one side is missing", pathOr(path)))
		}
		return
	}
	if a.Type() != b.Type() {
		*out = append(*out, fmt.Sprintf("%s: type %s != %s", pathOr(path), a.Type(), b.Type()))
		return
	}
	if a.Type() == timeType {
		ta, tb := a.Interface().(time.Time), b.Interface().(time.Time)
		if !ta.Equal(tb) {
			*out = append(*out, fmt.Sprintf("%s: %s != %s", pathOr(path), ta.Format(time.RFC3339Nano), tb.Format(time.RFC3339Nano)))
		}
		return
	}
	switch a.Kind() {
	case reflect.Float32, reflect.Float64:
		if !eq(a.Float(), b.Float()) {
			*out = append(*out, fmt.Sprintf("%s: %v != %v", pathOr(path), a.Float(), b.Float()))
		}
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				*out = append(*out, fmt.Sprintf("%s: %s != %s", pathOr(path), describe(a), describe(b)))
			}
			return
		}
		diffValue(out, path, a.Elem(), b.Elem(), eq)
	case reflect.Struct:
		for i := range a.NumField() {
			f := a.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			diffValue(out, join(path, f.Name), a.Field(i), b.Field(i), eq)
		}
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			*out = append(*out, fmt.Sprintf("%s: length %d != %d", pathOr(path), a.Len(), b.Len()))
			return
		}
		for i := range a.Len() {
			diffValue(out, fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i), eq)
		}
	case reflect.Map:
		if a.Len() != b.Len() {
			*out = append(*out, fmt.Sprintf("%s: %d entries != %d", pathOr(path), a.Len(), b.Len()))
		}
		for _, k := range a.MapKeys() {
			bv := b.MapIndex(k)
			if !bv.IsValid() {
				*out = append(*out, fmt.Sprintf("%s[%v]: missing on the right", pathOr(path), k))
				continue
			}
			diffValue(out, fmt.Sprintf("%s[%v]", path, k), a.MapIndex(k), bv, eq)
		}
	default:
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			*out = append(*out, fmt.Sprintf("%s: %v != %v", pathOr(path), a.Interface(), b.Interface()))
		}
	}
}

func describe(v reflect.Value) string {
	if v.IsNil() {
		return "nil"
	}
	return fmt.Sprintf("%v", v.Elem().Interface())
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func pathOr(path string) string {
	if path == "" {
		return "value"
	}
	return path
}

// ExactJSONDiff compares two JSON documents exactly, numbers by value
// (parsed as float64) and everything else as is. It returns the path of
// the first difference ("$.inquiries[].aes.value: numbers differ 1 vs 2"),
// ok false. It is meant for tests that compare API answers with the
// reference's, whose figures have the same bits (see ExactDiff).
func ExactJSONDiff(a, b []byte) (path string, ok bool) {
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return "invalid JSON", false
	}
	return walkJSON("$", va, vb)
}

func walkJSON(path string, a, b any) (string, bool) {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return path + ": object keys differ", false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok {
				return path + "." + k + ": missing", false
			}
			if p, ok := walkJSON(path+"."+k, v, w); !ok {
				return p, false
			}
		}
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return fmt.Sprintf("%s: arrays differ: %v vs %v", path, a, b), false
		}
		for i := range x {
			if p, ok := walkJSON(fmt.Sprintf("%s[%d]", path, i), x[i], y[i]); !ok {
				return p, false
			}
		}
	case float64:
		y, ok := b.(float64)
		if !ok || x != y {
			return fmt.Sprintf("%s: numbers differ: %v vs %v", path, a, b), false
		}
	default:
		if a != b {
			return fmt.Sprintf("%s: values differ: %v vs %v", path, a, b), false
		}
	}
	return "", true
}
