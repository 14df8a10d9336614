package connectors

import (
	"regexp"
	"strings"
	"testing"
)

func TestNormalizePhone(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"+12065550100", "+12065550100"},
		{" +1 (206) 555-0100 ", "+12065550100"},
		{"tel:+44-20-7946-0000", "+442079460000"},
		{"sip:+4930123456@pbx.example.com;user=phone", "+4930123456"},
		{"0044 20 7946 0000", "+442079460000"},
		{"+33.1.23.45.67.89", "+33123456789"},
		{"2065550100", ""}, // national: the country is unknown
		{"anonymous", ""},  // withheld
		{"Restricted", ""}, // withheld
		{"sip:anonymous@x.invalid", ""},
		{"+1206555010012345", ""}, // 16 digits
		{"+1234567", ""},          // 7 digits
		{"+0123456789", ""},       // country code 0
		{"+00000000", ""},
		{"+1 206 555 0100 ext 3", ""},
		{"+1+2065550100", ""},
		{"", ""},
	} {
		got, ok := NormalizePhone(tc.in)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{" Jane.Doe@Example.COM ", "jane.doe@example.com"},
		{"mailto:a@b.c", "a@b.c"},
		{"no-at-sign", ""},
		{"@example.com", ""},
		{"a@", ""},
		{"a b@example.com", ""},
	} {
		got, ok := NormalizeEmail(tc.in)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
}

func TestCustomerKey(t *testing.T) {
	acme, globex := []byte(strings.Repeat("a", 32)), []byte(strings.Repeat("g", 32))
	k := CustomerKey(acme, IDPhone, "+1 206 555 0100")
	if !regexp.MustCompile(`^h1-[0-9a-f]{64}$`).MatchString(k) {
		t.Fatalf("key %q", k)
	}
	if CustomerKey(acme, IDPhone, "tel:+12065550100") != k {
		t.Error("two forms of one number give different keys")
	}
	if CustomerKey(globex, IDPhone, "+12065550100") == k {
		t.Error("two tenants' keys for one number are equal")
	}
	if CustomerKey(acme, IDExternal, "+12065550100") == k {
		t.Error("an external id equal to a phone number collides with it")
	}
	if strings.Contains(k, "2065550100") {
		t.Error("the key contains the number")
	}
	for _, c := range []struct {
		kind IDKind
		id   string
	}{{IDPhone, "anonymous"}, {IDEmail, "nobody"}, {IDExternal, "  "}, {IDGenesysContact, "Unknown"}} {
		if k := CustomerKey(acme, c.kind, c.id); k != "" {
			t.Errorf("%s %q gave key %q", c.kind, c.id, k)
		}
	}
	if CustomerKey(nil, IDPhone, "+12065550100") != "" {
		t.Error("a key without a secret")
	}
	if got := FirstCustomerKey(acme, CustomerID{IDConnectProfile, ""}, CustomerID{IDPhone, "anonymous"}, CustomerID{IDEmail, "A@B.C"}); got != CustomerKey(acme, IDEmail, "a@b.c") {
		t.Errorf("FirstCustomerKey = %q", got)
	}
}

func TestCustomerKeySecretInCredentials(t *testing.T) {
	c, err := ParseCredentials([]byte(`{"tenants": {"acme": {"customer_key_secret": "` + strings.Repeat("s", 32) + `"}, "globex": {}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if string(c.CustomerKeySecret("acme")) != strings.Repeat("s", 32) || c.CustomerKeySecret("globex") != nil {
		t.Error("secrets not kept per tenant")
	}
	_, err = ParseCredentials([]byte(`{"tenants": {"acme": {"customer_key_secret": "short-secret"}}}`))
	if err == nil || !strings.Contains(err.Error(), "tenants.acme.customer_key_secret") || strings.Contains(err.Error(), "short-secret") {
		t.Errorf("short secret: %v", err)
	}
}

func TestChainID(t *testing.T) {
	if ChainID("abc-1") != "abc-1" || ChainID("a b") != "" || ChainID("") != "" || ChainID(strings.Repeat("x", 257)) != "" {
		t.Error("ChainID")
	}
}

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)

// FuzzNormalizePhone: an accepted number is E.164 and normalizing it again
// changes nothing.
func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"+12065550100", "tel:+44-20-7946-0000", "0044 20", "anonymous", "sip:+49@x", "+", "00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := NormalizePhone(s)
		if !ok {
			if n != "" {
				t.Fatalf("refused %q but returned %q", s, n)
			}
			return
		}
		if !e164.MatchString(n) {
			t.Fatalf("%q → %q, not E.164", s, n)
		}
		if again, ok := NormalizePhone(n); !ok || again != n {
			t.Fatalf("%q → %q → %q", s, n, again)
		}
	})
}
