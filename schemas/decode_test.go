package schemas

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

const baseJSON = `{"tenant_id":"acme","interaction_id":"c-1","revision":1,"model":"voice","agent_id":"a1",` +
	`"team_id":"t1","inquiry":"billing","started_at":"2026-03-01T14:00:00Z","ended_at":"2026-03-01T14:05:09Z",` +
	`"handle_time_s":309,"source":"simulator"`

func TestDecodeReportsEveryField(t *testing.T) {
	in := `{"tenant_id":"a b","interaction_id":"","revision":1.5,"model":"Voice","agent_id":"a1",` +
		`"team_id":"t1","inquiry":"billing","started_at":"2026-02-30T00:00:00Z","ended_at":"2026-03-01T14:05:09Z",` +
		`"handle_time_s":-3,"predicted_satisfaction":2,"source":"simulator","source_refs":{"Bad":1},` +
		`"attributes":{"x":[1],"y":{"z":1}},"zzz":1,"aaa":2,"zzz":3}`
	_, err := DecodeInteraction([]byte(in))
	var ves ValidationErrors
	if !errors.As(err, &ves) {
		t.Fatalf("got %v", err)
	}
	want := []string{"tenant_id", "interaction_id", "revision", "model", "started_at", "handle_time_s",
		"predicted_satisfaction", "source_refs", "source_refs.Bad", "attributes.x", "attributes.y", "zzz", "aaa"}
	if got := ves.Fields(); !slices.Equal(got, want) {
		t.Errorf("fields\n got %q\nwant %q", got, want)
	}
}

func TestDecodePartialRecordOnError(t *testing.T) {
	it, err := DecodeInteraction([]byte(baseJSON + `,"handle_time_s":-1}`))
	if err == nil {
		t.Fatal("no error")
	}
	if it.TenantID != "acme" || it.InteractionID != "c-1" || it.HandleTimeS != 0 {
		t.Errorf("partial record = %+v", it)
	}
	it, err = DecodeInteraction([]byte(baseJSON))
	var se *SyntaxError
	if !errors.As(err, &se) || it.TenantID != "" {
		t.Errorf("truncated input: %v, %+v", err, it)
	}
}

func TestDecodeOptionalNullAndEmpty(t *testing.T) {
	it, err := DecodeInteraction([]byte(baseJSON +
		`,"predicted_satisfaction":null,"predicted_resolution":0.5,"source_refs":{},"attributes":null}`))
	if err != nil {
		t.Fatal(err)
	}
	if it.PredictedSatisfaction != nil || it.PredictedResolution == nil || *it.PredictedResolution != 0.5 ||
		!it.SourceRefs.IsZero() || !it.Attributes.IsZero() {
		t.Errorf("got %+v", it)
	}
}

func TestDecodeDuplicateFieldLastWins(t *testing.T) {
	it, err := DecodeInteraction([]byte(baseJSON + `,"predicted_satisfaction":0.5,"predicted_satisfaction":null,` +
		`"attributes":{"a":[1],"a":"ok"},"attributes":{"b":true}}`))
	if err != nil {
		t.Fatal(err)
	}
	if it.PredictedSatisfaction != nil || it.Attributes.JSON() != `{"b":true}` {
		t.Errorf("got %+v", it)
	}
	_, err = DecodeInteraction([]byte(baseJSON + `,"attributes":{"a":"ok","a":[1]}}`))
	var ves ValidationErrors
	if !errors.As(err, &ves) || !slices.Equal(ves.Fields(), []string{"attributes.a"}) {
		t.Errorf("got %v", err)
	}
}

func TestDecodeValues(t *testing.T) {
	it, err := DecodeInteraction([]byte(baseJSON + `,"revision":0.3e1,"handle_time_s":8.64e4,` +
		`"attributes":{"n":-2.5,"s":"x\u00e9\ud83d\ude00","t":true,"f":false,"z":null},` +
		`"source_refs":{"contact_arn":"arn"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if it.Revision != 3 || it.HandleTimeS != 86400 {
		t.Errorf("revision %d, handle time %v", it.Revision, it.HandleTimeS)
	}
	want := map[string]any{"n": -2.5, "s": "xé😀", "t": true, "f": false, "z": nil}
	if got := it.Attributes.JSON(); got != `{"f":false,"n":-2.5,"s":"xé😀","t":true,"z":null}` {
		t.Errorf("attributes = %s", got)
	}
	for k, v := range want {
		if got, ok := it.Attributes.Get(k); !ok || got != v {
			t.Errorf("attributes[%s] = %#v, want %#v", k, got, v)
		}
	}
	if it.SourceRefs.JSON() != `{"contact_arn":"arn"}` {
		t.Errorf("source_refs = %v", it.SourceRefs)
	}
}

func TestDecodeSyntaxErrors(t *testing.T) {
	tests := []struct {
		in     string
		offset int
		msg    string
	}{
		{``, 0, "empty input"},
		{`{"a":1`, 6, "expected"},
		{`{"a":1}x`, 7, "unexpected data after the record"},
		{`{"a":tru}`, 5, "invalid literal"},
		{`{"a":"\u12"}`, 6, `\u escape`},
		{`{"a":[1,2}`, 9, "expected ',' or ']'"},
		{`{"a":01}`, 6, "expected ',' or '}'"},
		{`{"a":1.}`, 7, "digits after '.'"},
		{`{"a":1e}`, 7, "exponent"},
		{"{\"a\":\"\x01\"}", 6, "control character"},
		{`[1,]`, 3, "expected a value"},
		{`{"tenant_id":"acme",}`, 20, "expected a string key"},
	}
	for _, tt := range tests {
		_, err := DecodeInteraction([]byte(tt.in))
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: got %v, want a SyntaxError", tt.in, err)
			continue
		}
		if se.Offset != tt.offset || !strings.Contains(se.Msg, tt.msg) {
			t.Errorf("%q: got offset %d %q, want %d %q", tt.in, se.Offset, se.Msg, tt.offset, tt.msg)
		}
	}
}

func TestDecodeDeepNestingIsNotRecursive(t *testing.T) {
	deep := strings.Repeat("[", 1_000_000) + strings.Repeat("]", 1_000_000)
	_, err := DecodeInteraction([]byte(baseJSON + `,"attributes":{"a":` + deep + `}}`))
	var ves ValidationErrors
	if !errors.As(err, &ves) || ves[0].Field != "attributes.a" {
		t.Errorf("got %v", err)
	}
}

func TestUnknownFieldNamesAreSafe(t *testing.T) {
	_, err := DecodeInteraction([]byte(baseJSON + `,"a\nb":1,"` + strings.Repeat("x", 300) + `":2}`))
	var ves ValidationErrors
	if !errors.As(err, &ves) {
		t.Fatal(err)
	}
	if got := ves.Fields(); got[0] != `"a\nb"` || len(got[1]) > 60 {
		t.Errorf("fields %q", got)
	}
}

// TestDecodeDoesNotAliasInput checks that the record shares no memory with
// the input buffer.
func TestDecodeDoesNotAliasInput(t *testing.T) {
	data := []byte(baseJSON + `,"attributes":{"k":"v"},"source_refs":{"r":"s"}}`)
	it, err := DecodeInteraction(data)
	if err != nil {
		t.Fatal(err)
	}
	for i := range data {
		data[i] = 'X'
	}
	if it.TenantID != "acme" || it.Attributes.JSON() != `{"k":"v"}` || it.SourceRefs.JSON() != `{"r":"s"}` {
		t.Errorf("record changed with its input: %+v", it)
	}
}
