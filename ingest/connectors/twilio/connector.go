package twilio

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/agentpulse/agentpulse/ingest/connectors"
)

// Name is the connector's route and source name.
const Name = "twilio-taskrouter"

// Config configures a Connector.
type Config struct {
	// Credentials holds each tenant's Twilio account SID and auth tokens.
	// Required.
	Credentials *connectors.Credentials
	// Mapping holds each tenant's rules; nil maps every tenant with
	// connectors.BuiltinRules.
	Mapping *connectors.Mapping
	// Tracker bounds the per-task state.
	Tracker TrackerConfig
	// PublicBaseURL is the scheme, host and any path prefix under which
	// Twilio reaches this service, e.g. "https://ingest.example.com"; the
	// request's path and query are appended to it to rebuild the URL
	// Twilio signed. Empty: the URL is rebuilt from the request itself
	// (https when it came over TLS or with X-Forwarded-Proto: https; the
	// host from X-Forwarded-Host, else Host). The forwarded headers need no
	// trust: they only choose which URL the signature is checked against.
	PublicBaseURL string
}

// Connector maps TaskRouter workspace event callbacks. Safe for concurrent
// use.
type Connector struct {
	creds   *connectors.Credentials
	mapping *connectors.Mapping
	tracker *Tracker
	baseURL string
}

// ErrNoCredentials is returned by New without Config.Credentials.
var ErrNoCredentials = errors.New("twilio: Config.Credentials is required")

// The interfaces a Connector implements.
var (
	_ connectors.Connector   = (*Connector)(nil)
	_ connectors.Responder   = (*Connector)(nil)
	_ connectors.StatsSource = (*Connector)(nil)
)

// New returns a Connector.
func New(cfg Config) (*Connector, error) {
	if cfg.Credentials == nil {
		return nil, ErrNoCredentials
	}
	if cfg.PublicBaseURL != "" {
		u, err := url.Parse(cfg.PublicBaseURL)
		if err != nil || u.Scheme == "" || u.Host == "" || u.RawQuery != "" {
			return nil, errors.New("twilio: Config.PublicBaseURL must be scheme://host[/prefix], e.g. https://ingest.example.com")
		}
	}
	c := &Connector{creds: cfg.Credentials, mapping: cfg.Mapping, baseURL: strings.TrimSuffix(cfg.PublicBaseURL, "/")}
	c.tracker = newTracker(cfg.Tracker, c.mapping.For, c.creds.CustomerKeySecret)
	return c, nil
}

// Name returns "twilio-taskrouter".
func (c *Connector) Name() string { return Name }

// Authenticate checks X-Twilio-Signature: the body's AccountSid names the
// tenant's account, and the signature must match the request URL and form
// parameters under one of the account's auth tokens. A missing signature,
// an unknown account, a body that is not a form or a wrong signature fails
// with connectors.ErrUnauthenticated.
func (c *Connector) Authenticate(r *http.Request, body []byte) (string, error) {
	sig := r.Header.Get(HeaderSignature)
	if sig == "" {
		return "", connectors.Unauthenticated("no " + HeaderSignature + " header")
	}
	params, err := url.ParseQuery(string(body))
	if err != nil {
		return "", connectors.Unauthenticated("the body is not a form, so its signature cannot be checked")
	}
	tenant, tokens, ok := c.creds.TwilioAccount(params.Get("AccountSid"))
	if !ok {
		return "", connectors.Unauthenticated("unknown AccountSid")
	}
	if !ValidSignature(sig, tokens, c.requestURL(r), params) {
		return "", connectors.Unauthenticated("the signature does not match the URL, the parameters and the account's auth tokens")
	}
	return tenant, nil
}

// requestURL rebuilds the URL Twilio requested.
func (c *Connector) requestURL(r *http.Request) string {
	uri := r.RequestURI
	if uri == "" {
		uri = r.URL.RequestURI()
	}
	if c.baseURL != "" {
		return c.baseURL + uri
	}
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(firstValue(r.Header.Get("X-Forwarded-Proto")), "https") {
		scheme = "https"
	}
	host := firstValue(r.Header.Get("X-Forwarded-Host"))
	if host == "" {
		host = r.Host
	}
	return scheme + "://" + host + uri
}

// firstValue is the first of a comma-separated header list.
func firstValue(s string) string {
	if i := strings.IndexByte(s, ','); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// Map takes one event callback. reservation.accepted, the wrap-up events
// and the completion events go to the Tracker (results: pending, or the
// finished interaction); canceled, rejected, timed-out and rescinded
// reservations and canceled tasks are skipped with connectors.SkipCanceled;
// every other event with connectors.SkipNotTerminal. The results may
// include tasks of other tenants pushed out of a full table. The error is
// only for a body that is not a TaskRouter event form.
func (c *Connector) Map(tenant string, body []byte, now time.Time) ([]connectors.Result, error) {
	ev, err := parseEvent(body)
	if err != nil {
		return nil, connectors.Malformed("%w", err)
	}
	r := eventRef(ev)
	switch ev.kind {
	case kindAccepted, kindWrapup, kindCompleted:
		return c.tracker.add(nil, tenant, ev, now), nil
	case kindReservationEnded, kindTaskCanceled:
		return []connectors.Result{connectors.Skip(tenant, r, connectors.SkipCanceled)}, nil
	}
	return []connectors.Result{connectors.Skip(tenant, r, connectors.SkipNotTerminal)}, nil
}

// eventRef is "task <TaskSid> (<EventType>)", or the event type alone for
// events without a task.
func eventRef(ev *event) string {
	if t := ev.get("TaskSid"); t != "" {
		return "task " + t + " (" + ev.get("EventType") + ")"
	}
	return ev.get("EventType")
}

// Respond answers as TaskRouter asks: 204 No Content with Content-Type
// application/json on success; the error's status and {"error": …}
// otherwise.
func (c *Connector) Respond(_ *http.Request, err error, _ time.Time) connectors.Response {
	if err == nil {
		return connectors.Response{Status: http.StatusNoContent, ContentType: "application/json"}
	}
	body, _ := json.Marshal(map[string]string{"error": err.Error()})
	return connectors.Response{Status: connectors.StatusFor(err), ContentType: "application/json", Body: body}
}

// Expire ends the waits that reached their deadline; see [Tracker.Expire].
// Call it every few seconds and keep its results like Map's.
func (c *Connector) Expire(now time.Time) []connectors.Result { return c.tracker.Expire(now) }

// Stats returns the task table's figures, for metrics.
func (c *Connector) Stats() connectors.Stats { return c.tracker.Stats() }
