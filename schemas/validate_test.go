package schemas

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

func validRecord() Interaction {
	p, q := 0.8, 0.9
	return Interaction{
		TenantID: "acme", InteractionID: "c-1", Revision: 1, Model: "voice",
		AgentID: "a1", TeamID: "t1", Inquiry: "billing",
		StartedAt:   time.Date(2026, 3, 1, 14, 0, 0, 0, time.UTC),
		EndedAt:     time.Date(2026, 3, 1, 14, 5, 9, 0, time.UTC),
		HandleTimeS: 309, PredictedSatisfaction: &p, PredictedResolution: &q,
		Source: "simulator",
	}
}

func TestValidate(t *testing.T) {
	nan := math.NaN()
	over := 1.0000001
	tests := []struct {
		name   string
		modify func(*Interaction)
		want   []string // "field: message" of each error, in order
	}{
		{"valid", func(*Interaction) {}, nil},
		{"handle time negative", func(it *Interaction) { it.HandleTimeS = -3 },
			[]string{"handle_time_s: must be between 0 and 86400 seconds (24 hours), got -3"}},
		{"handle time NaN", func(it *Interaction) { it.HandleTimeS = nan },
			[]string{"handle_time_s: must be between 0 and 86400 seconds (24 hours), got NaN"}},
		{"handle time +Inf", func(it *Interaction) { it.HandleTimeS = math.Inf(1) },
			[]string{"handle_time_s: must be between 0 and 86400 seconds (24 hours), got +Inf"}},
		{"handle time max", func(it *Interaction) { it.HandleTimeS = 86400 }, nil},
		{"probability over", func(it *Interaction) { it.PredictedResolution = &over },
			[]string{"predicted_resolution: must be a probability between 0 and 1, got 1.0000001"}},
		{"probability NaN", func(it *Interaction) { it.PredictedSatisfaction = &nan },
			[]string{"predicted_satisfaction: must be a probability between 0 and 1, got NaN"}},
		{"inputs valid", func(it *Interaction) {
			h, q, n := 12.5, 0.0, int64(1000)
			it.HoldS, it.QueueWaitS, it.Transfers = &h, &q, &n
			it.CustomerKey, it.ChainID, it.Initiation = "k1", "chain-1", InitiationCallback
		}, nil},
		{"inputs out of bounds", func(it *Interaction) {
			h, q, n := -1.0, 2592000.5, int64(-1)
			it.HoldS, it.QueueWaitS, it.Transfers = &h, &q, &n
			it.CustomerKey, it.ChainID, it.Initiation = "a b", strings.Repeat("c", 257), "api"
		}, []string{
			"hold_s: must be between 0 and 86400 seconds (24 hours), got -1",
			"queue_wait_s: must be between 0 and 2592000 seconds (30 days), got 2.5920005e+06",
			"transfers: must be a whole number between 0 and 1000, got -1",
			`customer_key: must be 1 to 128 printable ASCII characters without spaces; got "a b"`,
			"chain_id: must be at most 256 characters, got 257",
			`initiation: must be one of inbound, outbound, callback or transfer, got "api"`,
		}},
		{"revision zero", func(it *Interaction) { it.Revision = 0 },
			[]string{"revision: must be a whole number between 1 and 9007199254740991, got 0"}},
		{"revision 2^53", func(it *Interaction) { it.Revision = 1 << 53 },
			[]string{"revision: must be a whole number between 1 and 9007199254740991, got 9007199254740992"}},
		{"ended one ns early", func(it *Interaction) { it.EndedAt = it.StartedAt.Add(-1) },
			[]string{"ended_at: must not be before started_at (2026-03-01T14:00:00Z), got 2026-03-01T13:59:59.999999999Z"}},
		{"ended equal", func(it *Interaction) { it.EndedAt = it.StartedAt }, nil},
		{"year 1999 in its own zone", func(it *Interaction) {
			// 2000-01-01T00:30Z is 1999-12-31T23:30-01:00: the text would say 1999.
			it.StartedAt = time.Date(2000, 1, 1, 0, 30, 0, 0, time.UTC).In(time.FixedZone("", -3600))
		}, []string{"started_at: cannot be written as an accepted timestamp: the year must be between 2000 and 2099; got 1999-12-31T23:30:00-01:00"}},
		{"offset with seconds", func(it *Interaction) {
			it.EndedAt = it.EndedAt.In(time.FixedZone("LMT", 75))
		}, []string{"ended_at: cannot be written as an accepted timestamp: its time zone offset is not a whole number of minutes; got 2026-03-01T14:06:24+00:01"}},
		{"zero times", func(it *Interaction) { it.StartedAt, it.EndedAt = time.Time{}, time.Time{} },
			[]string{"started_at: is required", "ended_at: is required"}},
		{"named zone is fine", func(it *Interaction) {
			loc, err := time.LoadLocation("America/New_York")
			if err != nil {
				t.Skip("no tzdata:", err)
			}
			it.StartedAt, it.EndedAt = it.StartedAt.In(loc), it.EndedAt.In(loc)
		}, nil},
		{"empty ids", func(it *Interaction) { it.TenantID, it.Source = "", "" },
			[]string{"tenant_id: is required and must not be empty", "source: is required and must not be empty"}},
		{"channel separator in agent id", func(it *Interaction) { it.AgentID = "agent:1" },
			[]string{`agent_id: must be 1 to 128 letters A-Z or a-z, digits, '.', '_', '@' or '-', starting with a letter or digit; got "agent:1"`}},
		{"invalid UTF-8 inquiry", func(it *Interaction) { it.Inquiry = "bill\xffing" },
			[]string{"inquiry: is not valid UTF-8 text"}},
		{"long inquiry quoted short", func(it *Interaction) { it.Inquiry = "x\n" + strings.Repeat("y", 100) },
			[]string{`inquiry: must not contain control characters (tabs, line breaks and the like), got "x\nyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy…"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := validRecord()
			tt.modify(&it)
			err := it.Validate()
			var got []string
			var ves ValidationErrors
			if err != nil {
				if !errors.As(err, &ves) {
					t.Fatalf("error %T is not ValidationErrors", err)
				}
				for _, e := range ves {
					got = append(got, e.Error())
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Validate:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestValidateZeroValue(t *testing.T) {
	var it Interaction
	err := it.Validate()
	var ves ValidationErrors
	if !errors.As(err, &ves) {
		t.Fatalf("zero value: %v", err)
	}
	want := []string{"tenant_id", "interaction_id", "revision", "model", "agent_id", "team_id",
		"inquiry", "started_at", "ended_at", "source"}
	if got := ves.Fields(); !slices.Equal(got, want) {
		t.Errorf("fields %q, want %q", got, want)
	}
}

func TestErrorTypes(t *testing.T) {
	_, err := DecodeInteraction([]byte(`{"handle_time_s": -3, "foo": 1}`))
	var one *ValidationError
	if !errors.As(err, &one) {
		t.Fatalf("errors.As(*ValidationError) failed on %v", err)
	}
	if one.Field != "tenant_id" || one.Rule != RuleRequired {
		t.Errorf("first error = %+v", one)
	}
	if !errors.Is(err, ErrInvalid) {
		t.Error("not ErrInvalid")
	}
	var ves ValidationErrors
	errors.As(err, &ves)
	if got := ves[len(ves)-1].Error(); got != `foo: is not a field of the interaction record; put custom data in "attributes"` {
		t.Errorf("last error %q", got)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "tenant_id: is required; interaction_id: is required;") ||
		!strings.Contains(msg, "; handle_time_s: must be between 0 and 86400 seconds (24 hours), got -3;") {
		t.Errorf("Error() = %q", msg)
	}
}

func TestMaxErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString("{")
	for i := range 100 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"x` + strings.Repeat("y", i) + `":1`)
	}
	b.WriteString("}")
	_, err := DecodeInteraction([]byte(b.String()))
	var ves ValidationErrors
	if !errors.As(err, &ves) || len(ves) != MaxErrors {
		t.Fatalf("got %d errors, want %d", len(ves), MaxErrors)
	}
}

// TestClone checks that a clone shares nothing with its original.
func TestClone(t *testing.T) {
	it := validRecord()
	h, q, n := 1.0, 2.0, int64(3)
	it.HoldS, it.QueueWaitS, it.Transfers = &h, &q, &n
	it.SourceRefs = mustSourceRefs(t, map[string]string{"a": "b"})
	it.Attributes = mustAttributes(t, map[string]any{"x": 1.0})
	c := it.Clone()
	if string(c.AppendJSON(nil)) != string(it.AppendJSON(nil)) {
		t.Fatalf("clone differs: %s", c.AppendJSON(nil))
	}
	*c.PredictedSatisfaction, *c.PredictedResolution, *c.HoldS, *c.QueueWaitS, *c.Transfers = 0, 0, 9, 9, 9
	if *it.PredictedSatisfaction == 0 || *it.PredictedResolution == 0 || *it.HoldS != 1 || *it.QueueWaitS != 2 ||
		*it.Transfers != 3 {
		t.Error("the clone shares memory with the original")
	}
}

// TestMakeObjects checks that MakeSourceRefs and MakeAttributes apply the
// rules of source_refs and attributes to Go maps, naming the field or
// entry and the rule as Validate does for the other fields.
func TestMakeObjects(t *testing.T) {
	tests := []struct {
		name string
		make func() error
		want []string
	}{
		{"source refs", func() error {
			_, err := MakeSourceRefs(map[string]string{"Bad": "x", "9": "y", "ok": strings.Repeat("é", 513)})
			return err
		}, []string{
			`source_refs: name "9" is not allowed (nor 1 other names): names must be 1 to 64 lower-case letters a-z, digits or '_', starting with a letter (e.g. "contact_arn")`,
			"source_refs.ok: must be at most 512 characters, got 513",
		}},
		{"attributes", func() error {
			_, err := MakeAttributes(map[string]any{
				"a b": []int{1}, "big": int64(1 << 53), "f32": float32(1.5), "i": 7, "n": json.Number("1e3"),
				"bad": json.Number("1e"), "nan": math.NaN(), "ok": nil, "u": uint64(1 << 60),
			})
			return err
		}, []string{
			`attributes["a b"]: must be a string, a number, true/false or null; nested objects and arrays are not allowed`,
			"attributes.bad: must be a string, a number, true/false or null, got the malformed number \"1e\"",
			"attributes.big: must be a number between -9007199254740991 and 9007199254740991, got 9007199254740992",
			"attributes.nan: must be a number between -9007199254740991 and 9007199254740991, got NaN",
			"attributes.u: must be a number between -9007199254740991 and 9007199254740991, got 1152921504606846976",
		}},
		{"too many attributes", func() error {
			m := map[string]any{}
			for i := range 33 {
				m[strings.Repeat("k", i+1)] = true
			}
			_, err := MakeAttributes(m)
			return err
		}, []string{"attributes: has 33 entries; at most 32 are allowed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			var ves ValidationErrors
			if err := tt.make(); !errors.As(err, &ves) {
				t.Fatalf("got %v, want ValidationErrors", err)
			}
			for _, e := range ves {
				got = append(got, e.Error())
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
	// Valid maps come out in canonical form, the decoder's.
	a, err := MakeAttributes(map[string]any{"f32": float32(1.5), "i": 7, "n": json.Number("1.50e3"), "z": nil, "s": "<&>"})
	if err != nil || a.JSON() != `{"f32":1.5,"i":7,"n":1500,"s":"\u003c\u0026\u003e","z":null}` {
		t.Errorf("MakeAttributes = %s, %v", a.JSON(), err)
	}
	r, err := MakeSourceRefs(map[string]string{"b": "2", "a": "1"})
	if err != nil || r.JSON() != `{"a":"1","b":"2"}` {
		t.Errorf("MakeSourceRefs = %s, %v", r.JSON(), err)
	}
	if z, err := MakeAttributes(nil); err != nil || !z.IsZero() {
		t.Errorf("MakeAttributes(nil) = %s, %v", z.JSON(), err)
	}
}

// TestSourceRef checks that SourceRef equals MakeSourceRefs of one entry,
// text and errors.
func TestSourceRef(t *testing.T) {
	for _, c := range [][2]string{{"sim_id", "1/a-1/20261101/7"}, {"contact_arn", "<&>\u2028é"}, {"Bad", "x"},
		{"ok", strings.Repeat("é", 513)}, {"ok", "bad\xff"}, {"9", "\xff"}, {"e", ""}} {
		got, gotErr := SourceRef(c[0], c[1])
		want, wantErr := MakeSourceRefs(map[string]string{c[0]: c[1]})
		if got != want || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
			t.Errorf("SourceRef(%q, %q) = %s, %v; MakeSourceRefs = %s, %v", c[0], c[1], got.JSON(), gotErr, want.JSON(), wantErr)
		}
	}
}
