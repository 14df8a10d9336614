package connectors

import (
	"strings"
	"unicode/utf8"

	"github.com/agentpulse/agentpulse/schemas"
)

// NormalizeID turns a platform's display name ("Billing Team East",
// "Support / Tier 2", "Équipe Nord") into a canonical id: accented Latin
// letters are spelled in ASCII ("Equipe"), every run of other characters
// outside [A-Za-z0-9._@-] becomes one '-', leading characters that are not
// a letter or digit are dropped, and the result is cut to 128 bytes with
// trailing '-' removed. It returns "" when nothing usable is left (names in
// other scripts: give them an id in the mapping's team "map"). Ids that are
// already valid come back unchanged.
func NormalizeID(s string) string {
	if schemas.ValidID(s) {
		return s
	}
	var b strings.Builder
	b.Grow(min(len(s), schemas.MaxIDLength))
	dash := false
	put := func(c byte) {
		if b.Len() == 0 && !isAlnum(c) || b.Len() >= schemas.MaxIDLength {
			return
		}
		b.WriteByte(c)
		dash = false
	}
	for i := 0; i < len(s) && b.Len() < schemas.MaxIDLength; {
		c := s[i]
		if c < utf8.RuneSelf && isIDByte(c) {
			put(c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if f, ok := foldLatin(r); ok {
			for j := 0; j < len(f); j++ {
				put(f[j])
			}
			continue
		}
		if b.Len() > 0 && !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

func isAlnum(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

func isIDByte(c byte) bool { return isAlnum(c) || c == '.' || c == '_' || c == '@' || c == '-' }

// Truncate cuts s to at most n code points, ending it with "…" when cut.
// Invalid UTF-8 is replaced by U+FFFD first, so the result is always valid
// text (as attribute and source_refs values must be).
func Truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for i < len(s) && count < n-1 {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		count++
	}
	return s[:i] + "…"
}
