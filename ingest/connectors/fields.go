package connectors

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Fields gives mapping rules access to one record's values by name. The
// names are the mapping vocabulary (see [Mapping]); each connector documents
// which ones it fills and from which platform field.
type Fields interface {
	// Field returns the named value as text and whether it is present. An
	// empty string, a JSON null, an object or an array is not present.
	Field(name string) (string, bool)
}

// FieldFunc adapts a function to [Fields].
type FieldFunc func(name string) (string, bool)

// Field calls f.
func (f FieldFunc) Field(name string) (string, bool) { return f(name) }

// Field names of the mapping vocabulary. Prefixed names ("attributes.x",
// "worker.x", "raw.x") are not listed.
const (
	FieldChannel          = "channel"           // the platform's channel or media type
	FieldQueue            = "queue"             // queue name (its id where the platform sends no name)
	FieldQueueID          = "queue_id"          // queue id
	FieldWrapup           = "wrapup"            // wrap-up (disposition) code
	FieldRoutingProfile   = "routing_profile"   // routing profile name
	FieldHierarchyDeepest = "hierarchy.deepest" // the deepest agent hierarchy group present
	FieldAgent            = "agent"             // agent user name or worker name
	FieldDirection        = "direction"         // inbound/outbound, initiation method
	FieldDivision         = "division"          // division id
)

// Prefixes of the open-ended field names.
const (
	PrefixAttributes = "attributes." // contact attributes / task attributes
	PrefixWorker     = "worker."     // worker (agent) attributes
	PrefixRaw        = "raw."        // any field of the platform's record, by its own name
	prefixHierarchy  = "hierarchy.level"
)

// knownField reports whether name is in the mapping vocabulary.
func knownField(name string) bool {
	switch name {
	case FieldChannel, FieldQueue, FieldQueueID, FieldWrapup, FieldRoutingProfile,
		FieldHierarchyDeepest, FieldAgent, FieldDirection, FieldDivision:
		return true
	}
	if rest, ok := strings.CutPrefix(name, prefixHierarchy); ok {
		return len(rest) == 1 && rest[0] >= '1' && rest[0] <= '5'
	}
	for _, p := range [...]string{PrefixAttributes, PrefixWorker, PrefixRaw} {
		if rest, ok := strings.CutPrefix(name, p); ok {
			return rest != ""
		}
	}
	return false
}

// vocabulary lists the field names for error messages.
const vocabulary = "channel, queue, queue_id, wrapup, routing_profile, hierarchy.level1..hierarchy.level5, " +
	"hierarchy.deepest, agent, direction, division, attributes.<name>, worker.<name> or raw.<name>"

// LookupPath finds path in a decoded JSON object: first as a key, then as
// dotted steps into nested objects (a key may itself contain dots; every
// split is tried, left to right). It returns the value as text, as
// [ScalarText] does.
func LookupPath(m map[string]any, path string) (string, bool) {
	v, ok := lookupAny(m, path, 0)
	if !ok {
		return "", false
	}
	return ScalarText(v)
}

// maxPathDepth bounds the recursion of lookupAny.
const maxPathDepth = 16

func lookupAny(m map[string]any, path string, depth int) (any, bool) {
	if v, ok := m[path]; ok {
		return v, true
	}
	if depth >= maxPathDepth {
		return nil, false
	}
	for i := 0; i < len(path); i++ {
		if path[i] != '.' {
			continue
		}
		sub, ok := m[path[:i]].(map[string]any)
		if !ok {
			continue
		}
		if v, ok := lookupAny(sub, path[i+1:], depth+1); ok {
			return v, true
		}
	}
	return nil, false
}

// ScalarText returns a decoded JSON scalar as text: a string as is (absent
// when empty), a number in its shortest form, true or false. null, objects
// and arrays are absent.
func ScalarText(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, v != ""
	case json.Number:
		return v.String(), true
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

// DecodeObject decodes data as a JSON object with numbers kept as
// json.Number. It returns nil for anything that is not an object.
func DecodeObject(data []byte) map[string]any {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil
	}
	return m
}

// LastSegment returns what follows the last '/' of s (all of s when it has
// none): the resource id of an ARN such as
// arn:aws:connect:…:instance/<id>/agent/<agent-id>.
func LastSegment(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}
