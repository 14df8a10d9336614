package twilio_test

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/ingest/connectors/twilio"
)

// BenchmarkTask maps the accepted, wrap-up and completed callbacks of one
// task (one interaction) per iteration.
func BenchmarkTask(b *testing.B) {
	c := newConnector(b, twilio.TrackerConfig{Timeout: time.Hour, Retain: time.Second, MaxPending: 10_000}, publicBase)
	const n = 1024
	bodies := make([][3][]byte, n)
	for i := range bodies {
		sid := fmt.Sprintf("WT%032d", i)
		attrs := `{"from":"+15005550006","direction":"inbound","conversations":{"satisfaction":4}}`
		bodies[i] = [3][]byte{
			form(ev("reservation.accepted", sid, base, "TaskAttributes", attrs, "WorkerAttributes", `{"team_name":"Team Rocket"}`)),
			form(ev("reservation.wrapup", sid, base+200, "TaskAttributes", attrs)),
			form(ev("reservation.completed", sid, base+240, "TaskAttributes", attrs)),
		}
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(bodies[0][0]) + len(bodies[0][1]) + len(bodies[0][2])))
	i := 0
	for b.Loop() {
		now := t0.Add(time.Duration(i) * time.Second)
		for _, body := range bodies[i%n] {
			if _, err := c.Map("acme", body, now); err != nil {
				b.Fatal(err)
			}
		}
		i++
	}
}

// BenchmarkSignature measures signing a typical callback.
func BenchmarkSignature(b *testing.B) {
	params, _ := url.ParseQuery(string(form(ev("reservation.completed", "WT1", base, "TaskAttributes", `{"a":1}`))))
	tok := []byte(acmeToken)
	b.ReportAllocs()
	for b.Loop() {
		twilio.Signature(tok, publicBase+callbackURI, params)
	}
}
