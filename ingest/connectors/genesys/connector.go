package genesys

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/agentpulse/agentpulse/ingest/connectors"
)

// Name is the connector's route and source name.
const Name = "genesys-cloud"

// Config configures a Connector.
type Config struct {
	// Credentials holds each tenant's EventBridge connection secrets (API
	// key header or basic auth). Required.
	Credentials *connectors.Credentials
	// Mapping holds each tenant's rules; nil maps every tenant with
	// connectors.BuiltinRules.
	Mapping *connectors.Mapping
	// Joiner bounds the join state.
	Joiner JoinerConfig
	// APIKeys, when set, admits an agentpulse API key sent as
	// "Authorization: Bearer apk_…" (the API destination's API-key
	// authorization with header Authorization).
	APIKeys connectors.KeyChecker
}

// Connector maps Genesys Cloud conversation detail events (user.end and
// acw) delivered by an Amazon EventBridge API destination. Safe for
// concurrent use.
type Connector struct {
	creds   *connectors.Credentials
	mapping *connectors.Mapping
	keys    connectors.KeyChecker
	joiner  *Joiner
}

// ErrNoCredentials is returned by New without Config.Credentials.
var ErrNoCredentials = errors.New("genesys: Config.Credentials is required")

// The interfaces a Connector implements.
var (
	_ connectors.Connector           = (*Connector)(nil)
	_ connectors.StatsSource         = (*Connector)(nil)
	_ connectors.HeaderAuthenticator = (*Connector)(nil)
)

// New returns a Connector.
func New(cfg Config) (*Connector, error) {
	if cfg.Credentials == nil {
		return nil, ErrNoCredentials
	}
	c := &Connector{creds: cfg.Credentials, mapping: cfg.Mapping, keys: cfg.APIKeys}
	c.joiner = newJoiner(cfg.Joiner, c.mapping.For, c.creds.CustomerKeySecret)
	return c, nil
}

// Name returns "genesys-cloud".
func (c *Connector) Name() string { return Name }

// Authenticate finds the tenant by the API destination connection's
// credential: a configured API-key header (name and value), else HTTP basic
// auth. Anything else fails with connectors.ErrUnauthenticated. The body is
// not read.
func (c *Connector) Authenticate(r *http.Request, _ []byte) (string, error) {
	return c.AuthenticateHeader(r)
}

// AuthenticateHeader is Authenticate, before the body is read
// (connectors.HeaderAuthenticator).
func (c *Connector) AuthenticateHeader(r *http.Request) (string, error) {
	if h := r.Header.Get("Authorization"); c.keys != nil && strings.HasPrefix(h, "Bearer "+connectors.APIKeyPrefix) {
		tenant, err := c.keys(strings.TrimPrefix(h, "Bearer "))
		if err != nil {
			return "", connectors.Unauthenticated("unknown or revoked API key")
		}
		return tenant, nil
	}
	if t, ok := c.creds.APIKeyTenant(r.Header); ok {
		return t, nil
	}
	if user, pass, ok := r.BasicAuth(); ok {
		if t, ok := c.creds.BasicTenant(user, pass); ok {
			return t, nil
		}
		return "", connectors.Unauthenticated("unknown basic-auth user or wrong password")
	}
	return "", connectors.Unauthenticated("no known API-key header and no basic auth")
}

// Map takes one EventBridge event (or a JSON array of them). user.end and
// acw events go to the Joiner; events of other topics are skipped with
// connectors.SkipIgnoredTopic; a user.end whose agent never connected
// (no interacting or held time) with connectors.SkipNoAgent. The results
// may include interactions of other tenants pushed out of a full join
// table. The error is only for a body that is not JSON events at all.
//
// A conversation details export ({"conversations": [...]}, see details.go)
// yields one Result per conversation carrying the outcome records of its
// finished surveys and its resolutions.
func (c *Connector) Map(tenant string, body []byte, now time.Time) ([]connectors.Result, error) {
	if isDetailsExport(body) {
		return mapDetails(tenant, body)
	}
	raws, err := splitEvents(body)
	if err != nil {
		return nil, err
	}
	out := make([]connectors.Result, 0, len(raws))
	for i, raw := range raws {
		ev, err := parseEvent(raw)
		if err != nil {
			out = append(out, connectors.Failed(tenant, eventRef(i, ""), err))
			continue
		}
		switch {
		case ev.kind == kindOther:
			out = append(out, connectors.Skip(tenant, eventRef(i, ev.topic), connectors.SkipIgnoredTopic))
		case ev.str("conversationId") == "":
			out = append(out, connectors.Failed(tenant, eventRef(i, ev.topic), errors.New("the event has no conversationId")))
		case ev.str("participantId") == "" && ev.str("userId") == "":
			out = append(out, connectors.Failed(tenant, eventRef(i, ev.topic), errors.New("the event has neither participantId nor userId")))
		case ev.kind == kindUserEnd && !connected(ev):
			out = append(out, connectors.Skip(tenant, ref(keyOf(tenant, ev), "user.end"), connectors.SkipNoAgent))
		default:
			out = c.joiner.add(out, tenant, ev, now)
		}
	}
	return out, nil
}

// connected reports whether the agent of a user.end ever interacted with or
// held the customer (an alert that was not answered has neither).
func connected(ev *event) bool {
	talk, _, err1 := ev.ms("interactingDurationMs")
	hold, _, err2 := ev.ms("heldDurationMs")
	return err1 != nil || err2 != nil || talk+hold > 0
}

func eventRef(i int, topic string) string {
	if topic == "" {
		return "events[" + strconv.Itoa(i) + "]"
	}
	return "events[" + strconv.Itoa(i) + "] " + topic
}

// Expire ends the waits that reached the Joiner's timeout; see
// [Joiner.Expire]. Call it every few seconds and keep its results like
// Map's.
func (c *Connector) Expire(now time.Time) []connectors.Result { return c.joiner.Expire(now) }

// Stats returns the join table's figures, for metrics.
func (c *Connector) Stats() connectors.Stats { return c.joiner.Stats() }
