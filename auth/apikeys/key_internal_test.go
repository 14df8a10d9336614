package apikeys

import (
	"strings"
	"testing"
)

func TestKeyFormat(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		key, id := newKey()
		if len(key) != keyLen || !strings.HasPrefix(key, Prefix+id+"_") || seen[id] {
			t.Fatalf("key %q id %q", key, id)
		}
		seen[id] = true
		got, err := parse(key)
		if err != nil || got != id {
			t.Fatalf("parse(%q) = %q, %v", key, got, err)
		}
	}
}

// FuzzParse: parse never panics, and what it accepts is a well-formed key
// whose id it returns.
func FuzzParse(f *testing.F) {
	key, _ := newKey()
	for _, s := range []string{key, "", Prefix, "apk_0123456789abcdef_", key[:len(key)-1] + "=", strings.ToUpper(key)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := parse(s)
		if err != nil {
			return
		}
		if len(s) != keyLen || !strings.HasPrefix(s, Prefix+id+"_") {
			t.Fatalf("parse(%q) accepted with id %q", s, id)
		}
	})
}
