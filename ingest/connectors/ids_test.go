package connectors_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/agentpulse/agentpulse/ingest/connectors"
	"github.com/agentpulse/agentpulse/schemas"
)

func TestNormalizeID(t *testing.T) {
	tests := map[string]string{
		"Billing Team East":                  "Billing-Team-East",
		"agent@example.com":                  "agent@example.com",
		"  Support / Tier 2  ":               "Support-Tier-2",
		"--team":                             "team",
		"Chat Squad (DE)":                    "Chat-Squad-DE",
		"Équipe Nord":                        "Equipe-Nord",
		"日本チーム":                              "",
		"a\x00b":                             "a-b",
		"":                                   "",
		"___":                                "",
		strings.Repeat("ab", 100):            strings.Repeat("ab", 64),
		"x" + strings.Repeat(" ", 300) + "y": "x-y",
	}
	for in, want := range tests {
		if got := connectors.NormalizeID(in); got != want {
			t.Errorf("NormalizeID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"hello", 5, "hello"},
		{"hello!", 5, "hell…"},
		{"ééééé", 3, "éé…"},
		{"a\xffb", 10, "a\uFFFDb"},
		{"abc", 0, ""},
	}
	for _, tt := range tests {
		if got := connectors.Truncate(tt.in, tt.n); got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

// FuzzNormalizeID: the result is always a valid id or empty, and valid ids
// are kept.
func FuzzNormalizeID(f *testing.F) {
	for _, s := range []string{"Billing Team", "a", "-x-", "日本", "a@b.c", strings.Repeat("z ", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := connectors.NormalizeID(s)
		if got != "" && !schemas.ValidID(got) {
			t.Fatalf("NormalizeID(%q) = %q is not a valid id", s, got)
		}
		if schemas.ValidID(s) && got != s {
			t.Fatalf("valid id %q changed to %q", s, got)
		}
		tr := connectors.Truncate(s, 10)
		if !utf8.ValidString(tr) || utf8.RuneCountInString(tr) > 10 {
			t.Fatalf("Truncate(%q, 10) = %q", s, tr)
		}
	})
}

func TestLookupPath(t *testing.T) {
	obj := connectors.DecodeObject([]byte(`{"a": {"b": {"c": 1.50}}, "a.b": "dotted key", "x": {"y.z": true}, "n": null, "arr": [1], "s": ""}`))
	tests := []struct {
		path, want string
		ok         bool
	}{
		{"a.b.c", "1.50", true},
		{"a.b", "dotted key", true},
		{"x.y.z", "true", true},
		{"n", "", false},
		{"arr", "", false},
		{"s", "", false},
		{"a", "", false},
		{"missing.path", "", false},
	}
	for _, tt := range tests {
		got, ok := connectors.LookupPath(obj, tt.path)
		if got != tt.want || ok != tt.ok {
			t.Errorf("LookupPath(%q) = %q, %v; want %q, %v", tt.path, got, ok, tt.want, tt.ok)
		}
	}
	if connectors.DecodeObject([]byte(`[1]`)) != nil {
		t.Error("DecodeObject of an array is not nil")
	}
}
