package twilio_test

import (
	"io"
	"reflect"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/ingest/connectors"
	"github.com/agentpulse/agentpulse/ingest/connectors/twilio"
)

// TestReplayedSignedDelivery documents what a replayed delivery (the same
// signed body sent again, by Twilio's retries or an attacker who captured
// it) does. Twilio's signature has no nonce or timestamp, so the replay
// authenticates; it cannot forge anything new: within Retain it re-emits
// the very same interaction (same interaction_id and revision, which the
// processor folds idempotently), and after Retain the lone completion
// waits for an accepted event and fails at Timeout, producing no
// interaction.
func TestReplayedSignedDelivery(t *testing.T) {
	const task = "WT0123456789abcdef0123456789ab0077"
	c := newConnector(t, twilio.TrackerConfig{Timeout: time.Hour, Retain: time.Minute}, publicBase)
	send := func(p map[string]string, at time.Time) []connectors.Result {
		t.Helper()
		body := form(p)
		r := signedRequest(body, acmeToken)
		raw, _ := io.ReadAll(r.Body)
		tenant, err := c.Authenticate(r, raw)
		if err != nil {
			t.Fatalf("authenticate: %v", err)
		}
		rs, err := c.Map(tenant, raw, at)
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	send(ev("reservation.accepted", task, base), t0)
	completed := ev("reservation.completed", task, base+120)
	first := send(completed, t0.Add(2*time.Minute))
	if len(first) != 1 || first[0].Interaction == nil {
		t.Fatalf("first completion: %+v", first)
	}
	replay := send(completed, t0.Add(2*time.Minute+10*time.Second))
	if len(replay) != 1 || replay[0].Interaction == nil || !reflect.DeepEqual(*replay[0].Interaction, *first[0].Interaction) {
		t.Fatalf("replay within Retain: %+v, want the same interaction %+v", replay, first[0].Interaction)
	}
	c.Expire(t0.Add(4 * time.Minute)) // Retain is over: the task is forgotten
	late := send(completed, t0.Add(5*time.Minute))
	if len(late) != 1 || late[0].Interaction != nil || late[0].Skipped != connectors.SkipPending {
		t.Fatalf("replay after Retain: %+v, want pending", late)
	}
	if rs := c.Expire(t0.Add(5*time.Minute + time.Hour)); len(rs) != 1 || rs[0].Interaction != nil || rs[0].Err == nil {
		t.Fatalf("a replayed lone completion expired as %+v, want one failure", rs)
	}
}
