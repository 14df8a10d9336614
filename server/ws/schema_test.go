package ws_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/server/ws"
)

// TestMessagesMatchSchema validates real messages of both directions
// against schemas/ws.schema.json.
func TestMessagesMatchSchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemas.WSSchema))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource(schemas.WSSchemaID, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(schemas.WSSchemaID)
	if err != nil {
		t.Fatal(err)
	}
	validate := func(b []byte) {
		t.Helper()
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("%s does not match ws.schema.json: %v", b, err)
		}
	}
	th := newTestHub(t, nil)
	conn := th.dial(t, token(t, admin))
	outgoing := []string{
		`{"op":"subscribe","channel":"agent:a1"}`,
		`{"op":"subscribe","channel":"agent:secret"}`,
		`{"op":"subscribe","channel":"nope"}`,
		`{"op":"unsubscribe","channel":"agent:a1"}`,
	}
	for _, o := range outgoing[:1] {
		validate([]byte(o))
		send(t, conn, o)
	}
	readRaw := func() []byte {
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, b, err := conn.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	validate(readRaw()) // snapshot
	th.hub.OnUpdate(context.Background(), update("acme", "a1", "t1", "voice", 1))
	validate(readRaw()) // score
	for _, o := range outgoing[1:] {
		send(t, conn, o)
		validate(readRaw()) // errors, unsubscribed
	}
	th.hub.PushTenant("acme", ws.OpNames, map[string]map[string]string{"teams": {"t1": "Front line"}, "people": {"a1": ""}})
	validate(readRaw()) // names
}
