package twilio_test

import (
	"net/url"
	"testing"

	"github.com/agentpulse/agentpulse/ingest/connectors/twilio"
)

// FuzzValidSignature feeds arbitrary URLs (broken authorities, IPv6
// literals, ports, no scheme) and parameters to ValidSignature: it never
// panics, accepts the signature made with the account's token over the
// very URL, and never accepts one made with another token or an empty one.
func FuzzValidSignature(f *testing.F) {
	f.Add("https://hooks.example.com/twilio/acme", "AccountSid=AC1&TaskSid=WT1", "token-1")
	f.Add("https://hooks.example.com:443/twilio/acme?x=1", "EventType=task.created", "t")
	f.Add("http://[::1]:8080/x", "a=1&a=2&b=", "t")
	f.Add("http://[::1]/x", "", "")
	f.Add("hooks.example.com/x", "%zz", "t")
	f.Add("https://user:pw@h:99999/x#frag", "a=%00", "t")
	f.Add("://", "", "t")
	f.Fuzz(func(t *testing.T, fullURL, form, token string) {
		params, _ := url.ParseQuery(form)
		good := []byte(token)
		other := append([]byte("x"), good...)
		sig := twilio.Signature(good, fullURL, params)
		if !twilio.ValidSignature(sig, [][]byte{good}, fullURL, params) {
			t.Fatalf("own signature over %q refused", fullURL)
		}
		if !twilio.ValidSignature(sig, [][]byte{other, good}, fullURL, params) {
			t.Fatalf("own signature refused when the token is the second one")
		}
		if twilio.ValidSignature(sig, [][]byte{other}, fullURL, params) {
			t.Fatalf("signature by %q accepted with token %q", good, other)
		}
		if twilio.ValidSignature("", [][]byte{good}, fullURL, params) {
			t.Fatal("empty signature accepted")
		}
	})
}
