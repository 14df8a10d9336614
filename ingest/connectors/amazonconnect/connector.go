package amazonconnect

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/agentpulse/agentpulse/ingest/connectors"
)

// Name is the connector's route and source name.
const Name = "amazon-connect"

// Config configures a Connector.
type Config struct {
	// Credentials holds each tenant's Firehose access keys. Required.
	Credentials *connectors.Credentials
	// Mapping holds each tenant's rules; nil maps every tenant with
	// connectors.BuiltinRules.
	Mapping *connectors.Mapping
	// APIKeys, when set, admits an agentpulse API key (apk_…) as the
	// stream's access key.
	APIKeys connectors.KeyChecker
}

// Connector maps Amazon Connect contact records delivered by Amazon Data
// Firehose. It keeps no state between deliveries and is safe for
// concurrent use.
type Connector struct {
	creds   *connectors.Credentials
	mapping *connectors.Mapping
	keys    connectors.KeyChecker
}

// ErrNoCredentials is returned by New without Config.Credentials.
var ErrNoCredentials = errors.New("amazonconnect: Config.Credentials is required")

// The interfaces a Connector implements.
var (
	_ connectors.Connector           = (*Connector)(nil)
	_ connectors.Responder           = (*Connector)(nil)
	_ connectors.HeaderAuthenticator = (*Connector)(nil)
)

// New returns a Connector.
func New(cfg Config) (*Connector, error) {
	if cfg.Credentials == nil {
		return nil, ErrNoCredentials
	}
	return &Connector{creds: cfg.Credentials, mapping: cfg.Mapping, keys: cfg.APIKeys}, nil
}

// Name returns "amazon-connect".
func (c *Connector) Name() string { return Name }

// Authenticate finds the tenant by the X-Amz-Firehose-Access-Key header
// (the access key configured on the Firehose stream's HTTP endpoint
// destination), then checks that the X-Amz-Firehose-Request-Id header
// matches the body's requestId. An absent or unknown key fails with
// connectors.ErrUnauthenticated; a missing or mismatched request id (with a
// good key) with connectors.ErrMalformed.
func (c *Connector) Authenticate(r *http.Request, body []byte) (string, error) {
	tenant, err := c.AuthenticateHeader(r)
	if err != nil {
		return "", err
	}
	hdr := r.Header.Get(HeaderRequestID)
	if hdr == "" {
		return "", connectors.Malformed("no %s header", HeaderRequestID)
	}
	id, err := requestID(body)
	if err != nil {
		return "", err
	}
	if id != hdr {
		return "", connectors.Malformed("%s %.64q does not match the body's requestId %.64q", HeaderRequestID, hdr, id)
	}
	return tenant, nil
}

// AuthenticateHeader finds the tenant by the X-Amz-Firehose-Access-Key
// header alone, before the body is read (connectors.HeaderAuthenticator).
func (c *Connector) AuthenticateHeader(r *http.Request) (string, error) {
	key := r.Header.Get(HeaderAccessKey)
	if key == "" {
		return "", connectors.Unauthenticated("no " + HeaderAccessKey + " header")
	}
	if c.keys != nil && strings.HasPrefix(key, connectors.APIKeyPrefix) {
		tenant, err := c.keys(key)
		if err != nil {
			return "", connectors.Unauthenticated("unknown or revoked API key as the Firehose access key")
		}
		return tenant, nil
	}
	tenant, ok := c.creds.FirehoseTenant(key)
	if !ok {
		return "", connectors.Unauthenticated("unknown Firehose access key")
	}
	return tenant, nil
}

// Map decodes the Firehose envelope and maps every contact record in every
// record's base64 data (one CTR, or several separated by newlines or
// nothing). The error is only for a body that is not a Firehose delivery;
// a record whose data is not base64 or not JSON, and a CTR that cannot be
// mapped, become failed Results. now is not used: the output depends on
// the body alone.
func (c *Connector) Map(tenant string, body []byte, _ time.Time) ([]connectors.Result, error) {
	d, err := parseDelivery(body)
	if err != nil {
		return nil, err
	}
	rules := c.mapping.For(tenant)
	secret := c.creds.CustomerKeySecret(tenant)
	out := make([]connectors.Result, 0, len(d.Records))
	for i := range d.Records {
		out = mapRecord(out, tenant, rules, secret, i, d.Records[i].Data)
	}
	return out, nil
}

// recordRef locates CTR n of Firehose record i.
func recordRef(i, n int) string {
	if n == 0 {
		return fmt.Sprintf("records[%d]", i)
	}
	return fmt.Sprintf("records[%d]#%d", i, n)
}
