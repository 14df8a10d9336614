package amazonconnect_test

import (
	"errors"
	"testing"

	"github.com/agentpulse/agentpulse/ingest/connectors"
)

// FuzzMap feeds arbitrary bodies to Map: it must never panic, must fail only
// with ErrMalformed, and every interaction it returns must be valid.
func FuzzMap(f *testing.F) {
	f.Add(envelope(f, requestID, casePayloads(f, "testdata/batch.json")...))
	f.Add([]byte(`{"requestId":"x","records":[{"data":"e30="},{"data":"!!"},{"data":""}]}`))
	f.Add([]byte(`{"requestId":"x","timestamp":1,"records":null}`))
	f.Add([]byte(`[]`))
	c := newConnector(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		rs, err := c.Map("acme", body, testNow)
		if err != nil {
			if !errors.Is(err, connectors.ErrMalformed) {
				t.Fatalf("error %v does not match ErrMalformed", err)
			}
			return
		}
		checkResults(t, rs)
	})
}

// FuzzMapRecord fuzzes the decoded data of one Firehose record (contact
// records as JSON), which the envelope's base64 would hide from the
// mutator.
func FuzzMapRecord(f *testing.F) {
	for _, p := range []string{"voice", "channels", "skipped", "batch", "failures"} {
		for _, data := range casePayloads(f, "testdata/"+p+".json") {
			f.Add(data)
		}
	}
	c := newConnector(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := c.Map("acme", envelope(t, requestID, data), testNow)
		if err != nil {
			t.Fatalf("a well-formed envelope failed: %v", err)
		}
		if len(rs) == 0 {
			t.Fatal("a record produced no result")
		}
		checkResults(t, rs)
	})
}

// FuzzAuthenticate: arbitrary keys, request ids and bodies never panic and
// never authenticate without the exact key.
func FuzzAuthenticate(f *testing.F) {
	body := envelope(f, requestID, []byte(`{}`))
	f.Add(acmeKey, requestID, body)
	f.Add("", "", []byte{})
	f.Add(acmeKey+" ", requestID, body)
	f.Add(acmeKey, "other", []byte(`{"requestId":"other","records":[]}`))
	c := newConnector(f)
	f.Fuzz(func(t *testing.T, key, id string, body []byte) {
		tenant, err := c.Authenticate(request(body, key, id), body)
		if err == nil && tenant == "" {
			t.Fatal("no error and no tenant")
		}
		if err == nil && key != acmeKey && key != globexKey && key != "globex-rotated-key-000003" {
			t.Fatalf("key %q authenticated as %q", key, tenant)
		}
		if err != nil && !errors.Is(err, connectors.ErrUnauthenticated) && !errors.Is(err, connectors.ErrMalformed) {
			t.Fatalf("unexpected error %v", err)
		}
	})
}

func checkResults(t testing.TB, rs []connectors.Result) {
	t.Helper()
	for _, r := range rs {
		n := 0
		if r.Interaction != nil {
			n++
			if err := r.Interaction.Validate(); err != nil {
				t.Fatalf("%s: invalid interaction: %v", r.Ref, err)
			}
		}
		if r.Err != nil {
			n++
			if !errors.Is(r.Err, connectors.ErrUnmappable) {
				t.Fatalf("%s: error %v does not match ErrUnmappable", r.Ref, r.Err)
			}
		}
		if r.Skipped != "" {
			n++
		}
		if n != 1 {
			t.Fatalf("%s: result %+v does not have exactly one outcome", r.Ref, r)
		}
	}
}
