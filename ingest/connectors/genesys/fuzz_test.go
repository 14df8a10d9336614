package genesys_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/agentpulse/agentpulse/ingest/connectors"
	"github.com/agentpulse/agentpulse/ingest/connectors/genesys"
)

// FuzzMap: arbitrary deliveries (with Expire between them) never panic, fail
// only with ErrMalformed, and every result has exactly one valid outcome.
func FuzzMap(f *testing.F) {
	for _, name := range []string{"user_end_first", "acw_first", "timeouts", "transfer", "failures", "redelivery", "customers", "details"} {
		for _, s := range readSteps(f, "testdata/"+name+".json") {
			if !s.Expire {
				f.Add([]byte(s.Event))
			}
		}
	}
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"detail-type": "v2.detail.events.conversation.{id}.acw", "detail": {"eventBody": {"conversationId": "c", "userId": "u", "wrapupDurationMs": 1e400}}}`))
	c := newConnector(f, genesys.JoinerConfig{MaxPending: 16})
	f.Fuzz(func(t *testing.T, body []byte) {
		rs, err := c.Map("acme", body, t0)
		if err != nil {
			if !errors.Is(err, connectors.ErrMalformed) {
				t.Fatalf("error %v does not match ErrMalformed", err)
			}
			return
		}
		checkResults(t, rs)
		checkResults(t, c.Expire(t0.Add(genesys.DefaultTimeout)))
	})
}

// FuzzAuthenticate: arbitrary header values never panic and never
// authenticate without the exact secret.
func FuzzAuthenticate(f *testing.F) {
	f.Add(acmeAPIKey, "", "")
	f.Add("", globexUser, globexPass)
	f.Add("x", "a:b", "")
	c := newConnector(f, genesys.JoinerConfig{})
	f.Fuzz(func(t *testing.T, key, user, pass string) {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		if key != "" {
			r.Header[apiKeyHeader] = []string{key}
		}
		if user != "" || pass != "" {
			r.SetBasicAuth(user, pass)
		}
		tenant, err := c.Authenticate(r, nil)
		if err != nil {
			if !errors.Is(err, connectors.ErrUnauthenticated) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if !(tenant == "acme" && key == acmeAPIKey || tenant == "globex" && user == globexUser && pass == globexPass) {
			t.Fatalf("authenticated %q with key %q user %q", tenant, key, user)
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
		if r.Interaction == nil && len(r.Outcomes) > 0 {
			n++ // a record of outcomes only
		}
		for i := range r.Outcomes {
			if err := r.Outcomes[i].Validate(); err != nil {
				t.Fatalf("%s: invalid outcome: %v", r.Ref, err)
			}
		}
		if n != 1 || r.Tenant == "" {
			t.Fatalf("%s: result %+v does not have exactly one outcome and a tenant", r.Ref, r)
		}
	}
}
