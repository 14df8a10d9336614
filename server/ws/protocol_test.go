package ws_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/agentpulse/agentpulse/server/ws"
)

// FuzzClientMessage checks that the client-message decoder never panics,
// that what it accepts is a subscribe or unsubscribe of a channel that
// parses back to itself, and that every refusal is a *ProtocolError with
// a code of the catalogue and a message.
func FuzzClientMessage(f *testing.F) {
	for _, s := range []string{
		`{"op":"subscribe","channel":"agent:a1"}`,
		`{"op":"subscribe","channel":"wallboard:voice","epoch":"0011aabb","since":42}`,
		`{"op":"unsubscribe","channel":"team:t-1"}`,
		`{"op":"subscribe","channel":"plan:p.1@x","since":0,"epoch":"e"}`,
		`{"op":"subscribe","channel":"agent:a1","since":18446744073709551616,"epoch":"e"}`,
		`{"op":"subscribe","channel":"agent:a1"}{"op":"subscribe"}`,
		`{"op":"subscribe","channel":"queue:x"}`,
		`{"op":null,"channel":"agent:\u0000"}`,
		`{"OP":"subscribe","Channel":"agent:a1"}`,
		`[`, ``, `null`, `"x"`, `{"since":1.5}`,
	} {
		f.Add([]byte(s))
	}
	codes := map[string]bool{ws.ErrCodeBadMessage: true, ws.ErrCodeUnknownOp: true, ws.ErrCodeBadChannel: true}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, ch, err := ws.DecodeClientMessage(b)
		if err != nil {
			var pe *ws.ProtocolError
			if !errors.As(err, &pe) || !codes[pe.Code] || pe.Message == "" {
				t.Fatalf("refusal %#v is not a ProtocolError of the catalogue", err)
			}
			if pe.Channel != "" {
				if _, err := ws.ParseChannel(pe.Channel); err != nil {
					t.Fatalf("error echoes an invalid channel %q", pe.Channel)
				}
			}
			return
		}
		if m.Op != ws.OpSubscribe && m.Op != ws.OpUnsubscribe {
			t.Fatalf("accepted op %q", m.Op)
		}
		if ch.String() != m.Channel || strings.Count(m.Channel, ":") < 1 {
			t.Fatalf("channel %q parsed as %+v", m.Channel, ch)
		}
		if (m.Epoch == "") != (m.Since == nil) {
			t.Fatalf("accepted epoch %q with since %v", m.Epoch, m.Since)
		}
	})
}

// TestParseChannel is a hand-written table of channel names.
func TestParseChannel(t *testing.T) {
	for s, ok := range map[string]bool{
		"agent:a1": true, "team:team-01": true, "plan:p_1": true, "wallboard:voice": true, "wallboard:chat_2": true,
		"agent:": false, "agent": false, ":a1": false, "agent:-a": false, "wallboard:Voice": false,
		"wallboard:9x": false, "queue:q": false, "agent:a b": false, "agent:" + strings.Repeat("a", 129): false,
		// Plan ids are random URL-safe base64: one in 32 begins with - or _
		// (found by the soak, whose plan "-EOSL3q88Df8Su3MF-zHOg" was refused).
		"plan:-EOSL3q88Df8Su3MF-zHOg": true, "plan:_x": true, "team:-a": false,
		"plan:": false, "plan:a b": false, "plan:a/b": false, "plan:" + strings.Repeat("a", 129): false,
	} {
		if _, err := ws.ParseChannel(s); (err == nil) != ok {
			t.Errorf("ParseChannel(%q) error %v, want ok=%v", s, err, ok)
		}
	}
}
