package schemas

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// TestValidIDAndModelFollowTheSchemaPatterns compares the hand-written
// checks with the canonical schema's patterns on edge cases and random
// strings over the interesting alphabet.
func TestValidIDAndModelFollowTheSchemaPatterns(t *testing.T) {
	idRE := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$`)
	modelRE := regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)
	cases := []string{"", "a", "A", "0", ".a", "a.", "a b", "agent-0001", "x@y.z", "é", "a/b", "a\x00",
		strings.Repeat("a", 128), strings.Repeat("a", 129), strings.Repeat("m", 32), strings.Repeat("m", 33), "Voice", "_x", "x_"}
	alphabet := []byte("aZ09._@-/ éx\x7f")
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		if got, want := ValidID(s), idRE.MatchString(s); got != want {
			t.Errorf("ValidID(%q) = %v, the schema pattern says %v", s, got, want)
		}
		if got, want := ValidModel(s), modelRE.MatchString(s); got != want {
			t.Errorf("ValidModel(%q) = %v, the schema pattern says %v", s, got, want)
		}
	}
}

func TestValidInquiry(t *testing.T) {
	for s, want := range map[string]bool{
		"billing": true, "Réclamation facture": true, "": false, "a\tb": false, "a\x7fb": false, "a\u0085b": false,
		strings.Repeat("é", 128): true, strings.Repeat("é", 129): false, "\xff": false,
	} {
		if got := ValidInquiry(s); got != want {
			t.Errorf("ValidInquiry(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestValidPlanID(t *testing.T) {
	for s, ok := range map[string]bool{
		"-EOSL3q88Df8Su3MF-zHOg": true, "_": true, "abc": true, "a.b@c": true,
		"": false, "a b": false, "a/b": false, "é": false, strings.Repeat("a", 128): true, strings.Repeat("a", 129): false,
	} {
		if got := ValidPlanID(s); got != ok {
			t.Errorf("ValidPlanID(%q) = %v, want %v", s, got, ok)
		}
	}
}
