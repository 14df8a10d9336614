package schemas

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"
)

// TestAppendJSONProperty: for random valid interactions, AppendJSON equals
// json.Marshal byte for byte, the schema library accepts it, and it decodes
// back to the same record.
func TestAppendJSONProperty(t *testing.T) {
	sch := referenceSchema(t)
	g := newGen(1)
	n := 3000
	if testing.Short() {
		n = 300
	}
	var buf []byte
	for i := range n {
		it := g.interaction()
		if err := it.Validate(); err != nil {
			t.Fatalf("case %d: generated record is invalid: %v", i, err)
		}
		buf = it.AppendJSON(buf[:0])
		std, err := json.Marshal(&it)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf, std) {
			t.Fatalf("case %d: AppendJSON differs from json.Marshal\n got %s\nwant %s", i, buf, std)
		}
		if ok, _, detail := libVerdict(sch, buf); !ok {
			t.Fatalf("case %d: schema library refuses %s: %v", i, buf, detail)
		}
		back, err := DecodeInteraction(buf)
		if err != nil {
			t.Fatalf("case %d: DecodeInteraction(%s): %v", i, buf, err)
		}
		if !sameInteraction(it, back) {
			t.Fatalf("case %d: round trip changed the record\n got %#v\nwant %#v", i, back, it)
		}
	}
}

func TestAppendJSONExact(t *testing.T) {
	p := 0.25
	it := Interaction{
		TenantID: "acme", InteractionID: `c<1>&"\`, Revision: 7, Model: "voice",
		AgentID: "a1", TeamID: "t1", Inquiry: "caf\u00e9\u2028",
		StartedAt:   time.Date(2026, 3, 1, 14, 0, 0, 500_000_000, time.FixedZone("", 5*3600+1800)),
		EndedAt:     time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
		HandleTimeS: 1e-7, PredictedResolution: &p, Source: "api",
		Attributes: mustAttributes(t, map[string]any{"b": true, "a": nil, "n": 1e-7, "i": 3, "s": "x\ny"}),
	}
	want := `{"tenant_id":"acme","interaction_id":"c\u003c1\u003e\u0026\"\\","revision":7,"model":"voice",` +
		`"agent_id":"a1","team_id":"t1","inquiry":"café\u2028","started_at":"2026-03-01T14:00:00.5+05:30",` +
		`"ended_at":"2026-03-01T09:00:00Z","handle_time_s":1e-7,"predicted_resolution":0.25,"source":"api",` +
		`"attributes":{"a":null,"b":true,"i":3,"n":1e-7,"s":"x\ny"}}`
	if got := string(it.AppendJSON(nil)); got != want {
		t.Errorf("AppendJSON\n got %s\nwant %s", got, want)
	}
}

func TestAppendJSONInvalidStillJSON(t *testing.T) {
	it := Interaction{HandleTimeS: math.NaN(), StartedAt: time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC)}
	if out := it.AppendJSON(nil); !json.Valid(out) {
		t.Errorf("not JSON: %s", out)
	}
}

func benchRecord() Interaction {
	it, err := DecodeInteraction([]byte(`{"tenant_id":"acme","interaction_id":"3f2a9c1e-5b7d-4e21-9a0b-8c6d2e4f1a37",` +
		`"revision":1,"model":"voice","agent_id":"agent-000123","team_id":"team-042","inquiry":"billing_dispute",` +
		`"started_at":"2026-03-01T14:00:00.123Z","ended_at":"2026-03-01T14:05:09.456Z","handle_time_s":309.333,` +
		`"predicted_satisfaction":0.8125,"predicted_resolution":0.9,"source":"amazon-connect",` +
		`"source_refs":{"contact_arn":"arn:aws:connect:eu-west-2:123456789012:instance/abc/contact/def"},` +
		`"attributes":{"language":"en-GB","transferred":false,"hold_count":2}}`))
	if err != nil {
		panic(err)
	}
	return it
}

func BenchmarkAppendJSON(b *testing.B) {
	it := benchRecord()
	buf := it.AppendJSON(nil)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = it.AppendJSON(buf[:0])
	}
}

func BenchmarkJSONMarshal(b *testing.B) {
	it := benchRecord()
	b.SetBytes(int64(len(it.AppendJSON(nil))))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(&it); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeInteraction(b *testing.B) {
	it := benchRecord()
	data := it.AppendJSON(nil)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeInteraction(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSONUnmarshal(b *testing.B) {
	it := benchRecord()
	data := it.AppendJSON(nil)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var out Interaction
		if err := json.Unmarshal(data, &out); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidate(b *testing.B) {
	it := benchRecord()
	b.ReportAllocs()
	for b.Loop() {
		if err := it.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}
