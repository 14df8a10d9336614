package twilio_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/agentpulse/agentpulse/ingest/connectors"
	"github.com/agentpulse/agentpulse/ingest/connectors/twilio"
)

// FuzzMap: arbitrary bodies never panic, fail only with ErrMalformed, and
// every result has exactly one valid outcome.
func FuzzMap(f *testing.F) {
	for _, name := range []string{"voice", "out_of_order", "not_terminal", "failures"} {
		for _, s := range readSteps(f, "testdata/"+name+".json") {
			if !s.Expire {
				f.Add(form(s.Params))
			}
		}
	}
	f.Add([]byte("EventType=reservation.completed&TaskSid=WT1&Timestamp=1e400"))
	f.Add([]byte("%"))
	c := newConnector(f, twilio.TrackerConfig{MaxPending: 16}, publicBase)
	f.Fuzz(func(t *testing.T, body []byte) {
		rs, err := c.Map("acme", body, t0)
		if err != nil {
			if !errors.Is(err, connectors.ErrMalformed) {
				t.Fatalf("error %v does not match ErrMalformed", err)
			}
			return
		}
		checkResults(t, rs)
		checkResults(t, c.Expire(t0.Add(twilio.DefaultTimeout)))
	})
}

// FuzzAuthenticate: arbitrary signatures, URIs and bodies never panic and
// never authenticate unless the signature is the real one.
func FuzzAuthenticate(f *testing.F) {
	body := form(ev("task.created", "WT1", base))
	params, _ := url.ParseQuery(string(body))
	f.Add(twilio.Signature([]byte(acmeToken), publicBase+callbackURI, params), callbackURI, body)
	f.Add("", "/", []byte("AccountSid="+acmeAccount))
	f.Add("abc", "/x?y=%zz", []byte("%"))
	c := newConnector(f, twilio.TrackerConfig{}, publicBase)
	f.Fuzz(func(t *testing.T, sig, uri string, body []byte) {
		if !strings.HasPrefix(uri, "/") || strings.ContainsAny(uri, " \r\n\t#") {
			return
		}
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		r.RequestURI = uri
		r.Header.Set(twilio.HeaderSignature, sig)
		tenant, err := c.Authenticate(r, body)
		if err != nil {
			if !errors.Is(err, connectors.ErrUnauthenticated) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		params, _ := url.ParseQuery(string(body))
		_, tokens, _ := testCredentials(t).TwilioAccount(params.Get("AccountSid"))
		if !twilio.ValidSignature(sig, tokens, publicBase+uri, params) || tenant == "" {
			t.Fatalf("authenticated %q without a valid signature", tenant)
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
		if n != 1 || r.Tenant == "" {
			t.Fatalf("%s: result %+v does not have exactly one outcome and a tenant", r.Ref, r)
		}
	}
}
