package twilio_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/ingest/connectors"
	"github.com/agentpulse/agentpulse/ingest/connectors/twilio"
)

const (
	acmeAccount = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	acmeToken   = "acme-auth-token-primary"
	acmeToken2  = "acme-auth-token-secondary"
	publicBase  = "https://ingest.example.com"
	callbackURI = "/v1/ingest/twilio-taskrouter"
)

func testCredentials(t testing.TB) *connectors.Credentials {
	t.Helper()
	c, err := connectors.ParseCredentials([]byte(`{"tenants": {
		"acme": {"customer_key_secret": "acme-customer-key-secret-000000000000", "twilio": {"account_sid": "` + acmeAccount + `", "auth_tokens": ["` + acmeToken + `", "` + acmeToken2 + `"]}},
		"globex": {"twilio": {"account_sid": "ACbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "auth_tokens": ["globex-token"]}}
	}}`))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newConnector(t testing.TB, tc twilio.TrackerConfig, base string) *twilio.Connector {
	t.Helper()
	m, err := connectors.LoadMapping("testdata/mapping.json")
	if err != nil {
		t.Fatal(err)
	}
	c, err := twilio.New(twilio.Config{Credentials: testCredentials(t), Mapping: m, Tracker: tc, PublicBaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// form encodes params in name order, as Twilio sends a form body.
func form(params map[string]string) []byte {
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	for i, k := range names {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(k) + "=" + url.QueryEscape(params[k]))
	}
	return []byte(b.String())
}

// signedRequest returns the POST Twilio would send to publicBase+callbackURI,
// signed with token.
func signedRequest(body []byte, token string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, callbackURI, strings.NewReader(string(body)))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	params, _ := url.ParseQuery(string(body))
	r.Header.Set(twilio.HeaderSignature, twilio.Signature([]byte(token), publicBase+callbackURI, params))
	return r
}

type step struct {
	At     time.Time         `json:"at"`
	Params map[string]string `json:"params"`
	Expire bool              `json:"expire"`
}

func readSteps(t testing.TB, path string) []step {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var steps []step
	if err := json.Unmarshal(data, &steps); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return steps
}

// run plays steps (signed deliveries and Expire calls) against c.
func run(t testing.TB, c *twilio.Connector, steps []step) []connectors.Result {
	t.Helper()
	var all []connectors.Result
	for _, s := range steps {
		if s.Expire {
			all = append(all, c.Expire(s.At)...)
			continue
		}
		body := form(s.Params)
		tenant, err := c.Authenticate(signedRequest(body, acmeToken), body)
		if err != nil {
			t.Fatalf("Authenticate: %v", err)
		}
		rs, err := c.Map(tenant, body, s.At)
		if err != nil {
			t.Fatalf("Map: %v", err)
		}
		all = append(all, rs...)
	}
	return all
}

// ev returns the params of a minimal TaskRouter event.
func ev(eventType, task string, ts int64, extra ...string) map[string]string {
	p := map[string]string{
		"AccountSid": acmeAccount, "WorkspaceSid": "WS0123456789abcdef0123456789abcdef", "EventType": eventType,
		"TaskSid": task, "TaskChannelUniqueName": "voice", "TaskQueueName": "Billing",
		"Timestamp": strconvItoa(ts),
	}
	if strings.HasPrefix(eventType, "reservation.") {
		p["ReservationSid"] = "WR" + task[2:]
		p["WorkerSid"] = "WK0123456789abcdef0123456789abcd01"
		p["WorkerName"] = "alice"
	}
	for i := 0; i+1 < len(extra); i += 2 {
		p[extra[i]] = extra[i+1]
	}
	return p
}

func strconvItoa(n int64) string { return strconv.FormatInt(n, 10) }
