package amazonconnect_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/ingest/connectors"
	"github.com/agentpulse/agentpulse/ingest/connectors/amazonconnect"
)

const (
	acmeKey   = "acme-firehose-access-key-0001"
	globexKey = "globex-firehose-access-key-0002"
	requestID = "ed4acda5-034f-9f42-bba1-f29aea6d7d8f"
)

// testNow is the receive time of every test delivery.
var testNow = time.Date(2026, 3, 5, 12, 0, 0, 0, time.UTC)

func testCredentials(t testing.TB) *connectors.Credentials {
	t.Helper()
	c, err := connectors.ParseCredentials([]byte(`{"tenants": {
		"acme":   {"customer_key_secret": "acme-customer-key-secret-000000000000", "amazon_connect": {"access_keys": ["` + acmeKey + `"]}},
		"globex": {"amazon_connect": {"access_keys": ["` + globexKey + `", "globex-rotated-key-000003"]}}
	}}`))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func testMapping(t testing.TB) *connectors.Mapping {
	t.Helper()
	m, err := connectors.LoadMapping("testdata/mapping.json")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func newConnector(t testing.TB) *amazonconnect.Connector {
	t.Helper()
	c, err := amazonconnect.New(amazonconnect.Config{Credentials: testCredentials(t), Mapping: testMapping(t)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// envelope wraps record payloads (the decoded data of each Firehose record)
// in a Firehose delivery body.
func envelope(t testing.TB, id string, payloads ...[]byte) []byte {
	t.Helper()
	type rec struct {
		Data string `json:"data"`
	}
	d := struct {
		RequestID string `json:"requestId"`
		Timestamp int64  `json:"timestamp"`
		Records   []rec  `json:"records"`
	}{RequestID: id, Timestamp: 1578090901599, Records: []rec{}}
	for _, p := range payloads {
		d.Records = append(d.Records, rec{Data: base64.StdEncoding.EncodeToString(p)})
	}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// casePayloads reads a testdata case: a JSON array whose elements are the
// Firehose records' data: an object (one CTR), an array (several CTRs
// separated by newlines) or a string (the data as text).
func casePayloads(t testing.TB, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(data, &elems); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out := make([][]byte, 0, len(elems))
	for _, e := range elems {
		e = bytes.TrimSpace(e)
		switch e[0] {
		case '[':
			var parts []json.RawMessage
			if err := json.Unmarshal(e, &parts); err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			for i, p := range parts {
				if i > 0 {
					b.WriteByte('\n')
				}
				if err := json.Compact(&b, p); err != nil {
					t.Fatal(err)
				}
			}
			out = append(out, b.Bytes())
		case '"':
			var s string
			if err := json.Unmarshal(e, &s); err != nil {
				t.Fatal(err)
			}
			out = append(out, []byte(s))
		default:
			var b bytes.Buffer
			if err := json.Compact(&b, e); err != nil {
				t.Fatal(err)
			}
			out = append(out, b.Bytes())
		}
	}
	return out
}

// request returns a Firehose POST with the given key and request id headers
// (empty ones are left out).
func request(body []byte, key, id string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/v1/ingest/amazon-connect", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Amz-Firehose-Protocol-Version", "1.0")
	if key != "" {
		r.Header.Set(amazonconnect.HeaderAccessKey, key)
	}
	if id != "" {
		r.Header.Set(amazonconnect.HeaderRequestID, id)
	}
	return r
}

// deliver authenticates and maps one delivery.
func deliver(t testing.TB, c *amazonconnect.Connector, body []byte) (string, []connectors.Result) {
	t.Helper()
	tenant, err := c.Authenticate(request(body, acmeKey, requestID), body)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	rs, err := c.Map(tenant, body, testNow)
	if err != nil {
		t.Fatalf("Map: %v", err)
	}
	return tenant, rs
}
