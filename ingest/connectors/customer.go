package connectors

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/agentpulse/agentpulse/schemas"
)

// IDKind says what a customer identifier is, so that the same person seen
// by two platforms under the same phone number or e-mail address gets the
// same customer_key, while identifiers of different spaces (a CRM id and a
// phone number that happen to be equal) never collide.
type IDKind string

// Kinds of customer identifiers. Phone and e-mail are shared by every
// connector; the others are one platform's id space.
const (
	IDPhone          IDKind = "phone"            // normalized to E.164
	IDEmail          IDKind = "email"            // trimmed, lower-cased
	IDConnectProfile IDKind = "connect-customer" // Amazon Connect CustomerId (Customer Profiles)
	IDGenesysContact IDKind = "genesys-external" // Genesys Cloud externalContactId
	IDExternal       IDKind = "external"         // a tenant's own id, from a mapped attribute
)

// MinCustomerKeySecretLength is the shortest customer_key_secret accepted:
// 32 characters, the HMAC-SHA256 block's worth of key material in hex.
const MinCustomerKeySecretLength = 32

// anonymousMarkers are the words platforms put where a caller withheld or
// has no number; such an "identifier" names no one and is dropped.
var anonymousMarkers = []string{"anonymous", "unknown", "private", "restricted", "withheld", "unavailable", "blocked"}

// NormalizePhone returns s as an E.164 number (+ then 8 to 15 digits, the
// first not 0), or false when it is not one: a withheld or anonymous
// caller, a national number without its country code, a SIP URI of a user
// name. It accepts tel: and sip: URIs (the user part), spaces, dots,
// dashes and parentheses, and the international prefix 00 for +.
func NormalizePhone(s string) (string, bool) {
	s = strings.TrimSpace(strings.ToLower(s))
	for _, m := range anonymousMarkers {
		if strings.Contains(s, m) {
			return "", false
		}
	}
	for _, p := range []string{"tel:", "sips:", "sip:"} {
		s = strings.TrimPrefix(s, p)
	}
	if i := strings.IndexAny(s, "@;"); i >= 0 {
		s = s[:i]
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == '+' && b.Len() == 0 && i == strings.IndexByte(s, '+'):
			b.WriteByte(c)
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
		default:
			return "", false
		}
	}
	n := b.String()
	if strings.HasPrefix(n, "00") {
		n = "+" + n[2:]
	}
	digits := strings.TrimPrefix(n, "+")
	if len(digits) == len(n) || len(digits) < 8 || len(digits) > 15 || digits[0] == '0' || strings.Trim(digits, "0") == "" {
		return "", false
	}
	return n, true
}

// NormalizeEmail returns s trimmed and lower-cased (a mailto: prefix
// dropped), or false when it is not an address of the form local@domain.
func NormalizeEmail(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "mailto:")
	at := strings.LastIndexByte(s, '@')
	if at < 1 || at == len(s)-1 || strings.ContainsAny(s, " \t\r\n<>") {
		return "", false
	}
	return s, true
}

// normalizeID returns the identifier of kind in its canonical form, or
// false when it identifies no one.
func normalizeID(kind IDKind, id string) (string, bool) {
	switch kind {
	case IDPhone:
		return NormalizePhone(id)
	case IDEmail:
		return NormalizeEmail(id)
	}
	id = strings.TrimSpace(id)
	if id == "" {
		return "", false
	}
	for _, m := range anonymousMarkers {
		if strings.EqualFold(id, m) {
			return "", false
		}
	}
	return id, true
}

// CustomerKey derives the pseudonymous customer_key of identifier id (of
// kind) with the tenant's secret: "h1-" and the hex HMAC-SHA256 of kind,
// a NUL byte and the normalized identifier (67 characters). The raw
// identifier is never stored; without the secret the key cannot be linked
// back to it, and two tenants' keys for one number differ. It returns ""
// when the identifier names no one (anonymous, withheld, malformed) or the
// secret is empty.
func CustomerKey(secret []byte, kind IDKind, id string) string {
	if len(secret) == 0 {
		return ""
	}
	norm, ok := normalizeID(kind, id)
	if !ok {
		return ""
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(norm))
	return "h1-" + hex.EncodeToString(m.Sum(nil))
}

// FirstCustomerKey returns the key of the first identifier that names
// someone, trying them in order (the platform's best identifier first).
func FirstCustomerKey(secret []byte, ids ...CustomerID) string {
	for _, c := range ids {
		if k := CustomerKey(secret, c.Kind, c.ID); k != "" {
			return k
		}
	}
	return ""
}

// CustomerID is one candidate identifier of a customer.
type CustomerID struct {
	Kind IDKind
	ID   string
}

// ChainID returns id when it is a valid chain_id (1 to 256 printable ASCII
// characters without spaces), else "": a platform id that cannot be one is
// left out rather than failing the record.
func ChainID(id string) string {
	if id == "" || len(id) > schemas.MaxChainIDLength {
		return ""
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '!' || id[i] > '~' {
			return ""
		}
	}
	return id
}
