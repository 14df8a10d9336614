package amazonconnect_test

import (
	"strings"
	"testing"
)

// TestRevisionFollowsLastUpdateTimestamp: a re-sent CTR with a newer
// LastUpdateTimestamp is a higher revision of the same interaction, so it
// replaces the earlier one; an identical re-send is the same revision.
func TestRevisionFollowsLastUpdateTimestamp(t *testing.T) {
	c := newConnector(t)
	ctr := func(lastUpdate, acw string) []byte {
		return []byte(`{"Agent": {"ARN": "arn:aws:connect:us-east-1:1:instance/i/agent/agent-9", "AgentInteractionDuration": 100, "AfterContactWorkDuration": ` + acw + `},
			"Channel": "VOICE", "ContactId": "contact-rev", "InitiationTimestamp": "2026-03-04T08:00:00Z",
			"DisconnectTimestamp": "2026-03-04T08:02:00Z", "LastUpdateTimestamp": "` + lastUpdate + `"}`)
	}
	tests := []struct {
		lastUpdate string
		acw        string
		revision   int64
		handle     float64
	}{
		{"2026-03-04T08:03:00Z", "10", 1772611380000, 110},
		{"2026-03-04T08:03:00.001Z", "10", 1772611380001, 110},
		{"2026-03-04T09:00:00Z", "25", 1772614800000, 125},
	}
	prev := int64(0)
	for _, tt := range tests {
		_, rs := deliver(t, c, envelope(t, requestID, ctr(tt.lastUpdate, tt.acw)))
		if len(rs) != 1 || rs[0].Interaction == nil {
			t.Fatalf("%s: results %+v", tt.lastUpdate, rs)
		}
		it := rs[0].Interaction
		if it.InteractionID != "contact-rev" || it.Revision != tt.revision || it.HandleTimeS != tt.handle {
			t.Errorf("%s: id %s revision %d handle %v; want revision %d handle %v",
				tt.lastUpdate, it.InteractionID, it.Revision, it.HandleTimeS, tt.revision, tt.handle)
		}
		if it.Revision <= prev {
			t.Errorf("%s: revision %d is not above the previous %d", tt.lastUpdate, it.Revision, prev)
		}
		prev = it.Revision
	}
	// Without LastUpdateTimestamp the revision is 1.
	body := envelope(t, requestID, []byte(strings.Replace(string(ctr("x", "0")), `, "LastUpdateTimestamp": "x"`, "", 1)))
	_, rs := deliver(t, c, body)
	if rs[0].Interaction == nil || rs[0].Interaction.Revision != 1 {
		t.Fatalf("without LastUpdateTimestamp: %+v", rs[0])
	}
}
