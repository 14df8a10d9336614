package connectors

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/agentpulse/agentpulse/schemas"
)

// Credentials holds every tenant's secrets for authenticating deliveries:
// Amazon Data Firehose access keys, EventBridge API-destination header keys
// and basic-auth pairs, Twilio account SIDs with their auth tokens. Load it
// with [LoadCredentials] or [ParseCredentials]. Immutable and safe for
// concurrent use; its String method never prints a secret.
//
// Secrets are compared in constant time. Keys that identify the tenant by
// themselves (access keys, header values) are found through a map keyed by
// their SHA-256 digest, so the time a lookup takes depends only on the
// digest of what the caller presented, which says nothing usable about any
// stored key; the stored and presented digests are then compared with
// crypto/subtle.
type Credentials struct {
	firehose    map[[32]byte]string // sha256(access key) → tenant
	headerNames []string            // canonical names of API-key headers
	apiKeys     map[[32]byte]string // sha256(header name NUL value) → tenant
	basic       map[string]basicCred
	twilio      map[string]twilioCred // account SID → tenant and tokens
	customerKey map[string][]byte     // tenant → customer_key_secret
	tenants     int
}

type basicCred struct {
	tenant string
	digest [32]byte
}

type twilioCred struct {
	tenant string
	tokens [][]byte
}

// String describes c without its secrets.
func (c *Credentials) String() string {
	if c == nil {
		return "Credentials(none)"
	}
	return "Credentials(" + strconv.Itoa(c.tenants) + " tenants, secrets redacted)"
}

// GoString is String, so %#v does not print secrets either.
func (c *Credentials) GoString() string { return c.String() }

// CustomerKeySecret returns the tenant's customer_key_secret, the HMAC key
// connectors derive customer_key with ([CustomerKey]); nil when none is
// configured, and then records carry no customer_key. The slice must not
// be modified.
func (c *Credentials) CustomerKeySecret(tenant string) []byte {
	if c == nil {
		return nil
	}
	return c.customerKey[tenant]
}

// FirehoseTenant returns the tenant whose Firehose access key is key.
func (c *Credentials) FirehoseTenant(key string) (string, bool) {
	if c == nil || key == "" {
		return "", false
	}
	d := sha256.Sum256([]byte(key))
	return lookupDigest(c.firehose, d)
}

// APIKeyTenant returns the tenant whose EventBridge connection API key
// (header name and value) is among h.
func (c *Credentials) APIKeyTenant(h http.Header) (string, bool) {
	if c == nil {
		return "", false
	}
	for _, name := range c.headerNames {
		for _, v := range h.Values(name) {
			if v == "" {
				continue
			}
			if t, ok := lookupDigest(c.apiKeys, headerDigest(name, v)); ok {
				return t, true
			}
		}
	}
	return "", false
}

// BasicTenant returns the tenant whose EventBridge connection basic-auth
// pair is user and pass.
func (c *Credentials) BasicTenant(user, pass string) (string, bool) {
	if c == nil {
		return "", false
	}
	b, ok := c.basic[user]
	d := sha256.Sum256([]byte(pass))
	if subtle.ConstantTimeCompare(d[:], b.digest[:]) != 1 || !ok {
		return "", false
	}
	return b.tenant, true
}

// TwilioAccount returns the tenant that owns the Twilio account and the
// account's auth tokens (primary first). The tokens must not be modified.
func (c *Credentials) TwilioAccount(accountSID string) (tenant string, tokens [][]byte, ok bool) {
	if c == nil {
		return "", nil, false
	}
	t, ok := c.twilio[accountSID]
	return t.tenant, t.tokens, ok
}

func lookupDigest(m map[[32]byte]string, d [32]byte) (string, bool) {
	t, ok := m[d]
	if !ok {
		return "", false
	}
	return t, true
}

func headerDigest(canonicalName, value string) [32]byte {
	h := sha256.New()
	h.Write([]byte(canonicalName))
	h.Write([]byte{0})
	h.Write([]byte(value))
	var d [32]byte
	h.Sum(d[:0])
	return d
}

// credentialsFile is the JSON form of Credentials.
type credentialsFile struct {
	Tenants map[string]*tenantSecrets `json:"tenants"`
}

type tenantSecrets struct {
	CustomerKeySecret string `json:"customer_key_secret"`
	AmazonConnect     *struct {
		AccessKeys []string `json:"access_keys"`
	} `json:"amazon_connect"`
	GenesysCloud *struct {
		APIKeys []struct {
			Header string `json:"header"`
			Value  string `json:"value"`
		} `json:"api_keys"`
		Basic []struct {
			Username string `json:"username"`
			Password string `json:"password"`
		} `json:"basic"`
	} `json:"genesys_cloud"`
	Twilio *struct {
		AccountSID string   `json:"account_sid"`
		AuthTokens []string `json:"auth_tokens"`
	} `json:"twilio"`
}

// MinSecretLength is the shortest access key, API-key value or password
// accepted (Twilio auth tokens are Twilio's and are not checked).
const MinSecretLength = 16

// LoadCredentials reads and validates a credentials file; see
// [ParseCredentials].
func LoadCredentials(path string) (*Credentials, error) {
	data, err := readConfig(path)
	if err != nil {
		return nil, fmt.Errorf("load credentials: %w", err)
	}
	c, err := ParseCredentials(data)
	if err != nil {
		return nil, fmt.Errorf("load credentials %s: %w", path, err)
	}
	return c, nil
}

// ParseCredentials parses and validates a credentials file (format in the
// package documentation). It refuses unknown keys, invalid tenant ids,
// secrets shorter than [MinSecretLength], malformed Twilio account SIDs and
// any secret, user name or account SID shared by two tenants (a delivery
// must identify exactly one tenant). Errors never quote a secret.
func ParseCredentials(data []byte) (*Credentials, error) {
	var f credentialsFile
	if err := strictDecode(data, &f); err != nil {
		return nil, &ConfigError{Msg: err.Error()}
	}
	c := &Credentials{
		firehose:    map[[32]byte]string{},
		apiKeys:     map[[32]byte]string{},
		basic:       map[string]basicCred{},
		twilio:      map[string]twilioCred{},
		customerKey: map[string][]byte{},
	}
	var p problems
	names := make([]string, 0, len(f.Tenants))
	for t := range f.Tenants {
		names = append(names, t)
	}
	slices.Sort(names)
	for _, t := range names {
		path := "tenants." + t
		s := f.Tenants[t]
		switch {
		case !schemas.ValidID(t):
			p.add(path, "is not a valid tenant id: use 1 to 128 letters, digits, '.', '_', '@' or '-', starting with a letter or digit")
			continue
		case s == nil:
			p.add(path, "must be an object")
			continue
		}
		c.tenants++
		c.addTenant(t, s, path, &p)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Credentials) addTenant(t string, s *tenantSecrets, path string, p *problems) {
	claim := func(m map[[32]byte]string, d [32]byte, at, what string) {
		if other, dup := m[d]; dup && other != t {
			p.add(at, "the same %s is configured for tenant %q; each must be unique", what, other)
			return
		}
		m[d] = t
	}
	if k := s.CustomerKeySecret; k != "" {
		if len(k) < MinCustomerKeySecretLength {
			p.add(path+".customer_key_secret", "is shorter than %d characters", MinCustomerKeySecretLength)
		} else {
			c.customerKey[t] = []byte(k)
		}
	}
	if a := s.AmazonConnect; a != nil {
		for i, k := range a.AccessKeys {
			at := fmt.Sprintf("%s.amazon_connect.access_keys[%d]", path, i)
			if len(k) < MinSecretLength {
				p.add(at, "is shorter than %d characters", MinSecretLength)
				continue
			}
			claim(c.firehose, sha256.Sum256([]byte(k)), at, "access key")
		}
	}
	if g := s.GenesysCloud; g != nil {
		for i, k := range g.APIKeys {
			at := fmt.Sprintf("%s.genesys_cloud.api_keys[%d]", path, i)
			name := http.CanonicalHeaderKey(k.Header)
			if !validHeaderName(k.Header) {
				p.add(at+".header", "%q is not a valid HTTP header name", k.Header)
				continue
			}
			if len(k.Value) < MinSecretLength {
				p.add(at+".value", "is shorter than %d characters", MinSecretLength)
				continue
			}
			if !slices.Contains(c.headerNames, name) {
				c.headerNames = append(c.headerNames, name)
			}
			claim(c.apiKeys, headerDigest(name, k.Value), at, "API key")
		}
		for i, b := range g.Basic {
			at := fmt.Sprintf("%s.genesys_cloud.basic[%d]", path, i)
			switch other, dup := c.basic[b.Username]; {
			case b.Username == "":
				p.add(at+".username", "must not be empty")
			case len(b.Password) < MinSecretLength:
				p.add(at+".password", "is shorter than %d characters", MinSecretLength)
			case dup:
				p.add(at+".username", "%q is already used by tenant %q", b.Username, other.tenant)
			default:
				c.basic[b.Username] = basicCred{tenant: t, digest: sha256.Sum256([]byte(b.Password))}
			}
		}
	}
	if tw := s.Twilio; tw != nil {
		at := path + ".twilio"
		switch other, dup := c.twilio[tw.AccountSID]; {
		case !validAccountSID(tw.AccountSID):
			p.add(at+".account_sid", "must be AC followed by 32 hex digits")
		case len(tw.AuthTokens) == 0:
			p.add(at+".auth_tokens", "needs at least one auth token")
		case slices.Contains(tw.AuthTokens, ""):
			p.add(at+".auth_tokens", "must not contain an empty token")
		case dup:
			p.add(at+".account_sid", "is already used by tenant %q", other.tenant)
		default:
			tokens := make([][]byte, len(tw.AuthTokens))
			for i, tok := range tw.AuthTokens {
				tokens[i] = []byte(tok)
			}
			c.twilio[tw.AccountSID] = twilioCred{tenant: t, tokens: tokens}
		}
	}
}

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isAlnum(c) || c == '-' || c == '_' || c == '.' || c == '!' || c == '#' || c == '$' ||
			c == '%' || c == '&' || c == '\'' || c == '*' || c == '+' || c == '^' || c == '`' || c == '|' || c == '~') {
			return false
		}
	}
	return true
}

func validAccountSID(s string) bool {
	if len(s) != 34 || s[:2] != "AC" {
		return false
	}
	for i := 2; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
