package genesys_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/ingest/connectors"
	"github.com/agentpulse/agentpulse/ingest/connectors/genesys"
)

const (
	apiKeyHeader = "X-Agentpulse-Key"
	acmeAPIKey   = "acme-eventbridge-key-0001"
	globexUser   = "globex-eb"
	globexPass   = "globex-basic-password-1"
)

func testCredentials(t testing.TB) *connectors.Credentials {
	t.Helper()
	c, err := connectors.ParseCredentials([]byte(`{"tenants": {
		"acme":   {"customer_key_secret": "acme-customer-key-secret-000000000000", "genesys_cloud": {"api_keys": [{"header": "` + apiKeyHeader + `", "value": "` + acmeAPIKey + `"}]}},
		"globex": {"genesys_cloud": {"basic": [{"username": "` + globexUser + `", "password": "` + globexPass + `"}]}}
	}}`))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newConnector(t testing.TB, jc genesys.JoinerConfig) *genesys.Connector {
	t.Helper()
	m, err := connectors.LoadMapping("testdata/mapping.json")
	if err != nil {
		t.Fatal(err)
	}
	c, err := genesys.New(genesys.Config{Credentials: testCredentials(t), Mapping: m, Joiner: jc})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func request(body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/v1/ingest/genesys-cloud", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(apiKeyHeader, acmeAPIKey)
	return r
}

// step is one line of a testdata case: a delivery at a time, or a call of
// Expire at that time.
type step struct {
	At     time.Time       `json:"at"`
	Event  json.RawMessage `json:"event"`
	Expire bool            `json:"expire"`
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

// run plays steps against c and returns every result in order.
func run(t testing.TB, c *genesys.Connector, steps []step) []connectors.Result {
	t.Helper()
	var all []connectors.Result
	for _, s := range steps {
		if s.Expire {
			all = append(all, c.Expire(s.At)...)
			continue
		}
		tenant, err := c.Authenticate(request(s.Event), s.Event)
		if err != nil {
			t.Fatalf("Authenticate: %v", err)
		}
		rs, err := c.Map(tenant, s.Event, s.At)
		if err != nil {
			t.Fatalf("Map at %v: %v", s.At, err)
		}
		all = append(all, rs...)
	}
	return all
}

// userEnd and acw build minimal EventBridge events.
func userEnd(conv, participant string, endMs, talkMs, holdMs int64) []byte {
	b, _ := json.Marshal(map[string]any{
		"id": "ev", "detail-type": "v2.detail.events.conversation.{id}.user.end",
		"detail": map[string]any{"eventBody": map[string]any{
			"eventTime": endMs, "conversationId": conv, "participantId": participant, "mediaType": "VOICE",
			"userId": "agent-" + participant, "interactingDurationMs": talkMs, "heldDurationMs": holdMs,
		}},
	})
	return b
}

func acw(conv, participant string, acwMs int64) []byte {
	b, _ := json.Marshal(map[string]any{
		"id": "ev", "detail-type": "v2.detail.events.conversation.{id}.acw",
		"detail": map[string]any{"eventBody": map[string]any{
			"eventTime": int64(1772445900000), "conversationId": conv, "participantId": participant, "mediaType": "VOICE",
			"userId": "agent-" + participant, "wrapupDurationMs": acwMs,
		}},
	})
	return b
}

// genesysDefaults is the documented default JoinerConfig.
var genesysDefaults = genesys.JoinerConfig{}
