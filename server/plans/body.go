package plans

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/agentpulse/agentpulse/views"
)

// decodeObject strictly decodes one JSON object with exactly the fields
// allowed (each a raw value), refusing anything else with a field error.
func decodeObject(data []byte, allowed ...string) (map[string]json.RawMessage, error) {
	if !utf8.Valid(data) {
		return nil, &views.FieldError{Field: "body", Message: "is not valid UTF-8"}
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, &views.FieldError{Field: "body", Message: "must be a JSON object"}
	}
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if err := dec.Decode(&raw); err != nil {
		return nil, &views.FieldError{Field: "body", Message: "is not valid JSON: " + err.Error()}
	}
	if dec.More() || dec.InputOffset() != int64(len(trimmed)) {
		return nil, &views.FieldError{Field: "body", Message: "must hold exactly one JSON object; found more after it"}
	}
	for _, k := range slices.Sorted(maps.Keys(raw)) {
		if !slices.Contains(allowed, k) {
			name := clip(k)
			if name == "" {
				name = "body"
			}
			return nil, &views.FieldError{Field: name, Message: fmt.Sprintf("is not a field of this body; allowed: %v", allowed)}
		}
	}
	return raw, nil
}

// DecodeActionBody decodes the body of PATCH /v1/plans/{id}/actions/{index}:
// exactly {"done": true|false}.
func DecodeActionBody(data []byte) (done bool, err error) {
	raw, err := decodeObject(data, "done")
	if err != nil {
		return false, err
	}
	v, ok := raw["done"]
	if !ok {
		return false, &views.FieldError{Field: "done", Message: "is required: true or false"}
	}
	if err := json.Unmarshal(v, &done); err != nil || bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		return false, &views.FieldError{Field: "done", Message: "must be true or false"}
	}
	return done, nil
}

// DecodeCatalogBody decodes the body of PUT /v1/assistance-catalog:
// exactly {"items": ["…", …]}.
func DecodeCatalogBody(data []byte) ([]string, error) {
	raw, err := decodeObject(data, "items")
	if err != nil {
		return nil, err
	}
	v, ok := raw["items"]
	if !ok {
		return nil, &views.FieldError{Field: "items", Message: "is required: an array of strings"}
	}
	var items []string
	if err := json.Unmarshal(v, &items); err != nil || items == nil {
		return nil, &views.FieldError{Field: "items", Message: "must be an array of strings"}
	}
	return items, nil
}

// DecodeCommentBody decodes the body of POST /v1/plans/{id}/comments:
// exactly {"text": "…"}, 1 to views.MaxCommentLen characters after
// trimming; the trimmed text is returned.
func DecodeCommentBody(data []byte) (string, error) {
	raw, err := decodeObject(data, "text")
	if err != nil {
		return "", err
	}
	v, ok := raw["text"]
	if !ok {
		return "", &views.FieldError{Field: "text", Message: "is required: the comment, as a string"}
	}
	var text string
	if err := json.Unmarshal(v, &text); err != nil || bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		return "", &views.FieldError{Field: "text", Message: "must be a string"}
	}
	text = strings.TrimSpace(text)
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		return "", &views.FieldError{Field: "text", Message: "is empty: write a comment"}
	case n > views.MaxCommentLen:
		return "", &views.FieldError{Field: "text", Message: fmt.Sprintf("is %d characters long; at most %d", n, views.MaxCommentLen)}
	}
	return text, nil
}
