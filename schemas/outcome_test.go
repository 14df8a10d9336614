package schemas

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

var (
	outcomeSchemaOnce sync.Once
	outcomeSchema     *jsonschema.Schema
)

// referenceOutcomeSchema returns outcome.schema.json compiled with the
// cross-field vocabulary, once.
func referenceOutcomeSchema(t testing.TB) *jsonschema.Schema {
	outcomeSchemaOnce.Do(func() { outcomeSchema = compileDoc(t, true, OutcomeSchemaID, OutcomeSchema) })
	return outcomeSchema
}

func loadOutcomeCorpus(t testing.TB) []corpusCase {
	t.Helper()
	var out []corpusCase
	for _, dir := range []string{"valid", "invalid"} {
		paths, err := filepath.Glob(filepath.Join("testdata", "outcomes", dir, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			c := corpusCase{name: dir + "/" + filepath.Base(p), data: data, valid: dir == "valid"}
			if !c.valid {
				field, _, ok := strings.Cut(strings.TrimSuffix(filepath.Base(p), ".json"), "__")
				if !ok {
					t.Fatalf("%s: invalid case names must be <field>__<description>.json", p)
				}
				c.field = field
			}
			out = append(out, c)
		}
	}
	if len(out) < 30 {
		t.Fatalf("outcome corpus has %d cases, want at least 30", len(out))
	}
	return out
}

// TestOutcomeCorpus: the schema library, the Go decoder and the expected
// verdict agree on every case, and the Go error names the expected field.
func TestOutcomeCorpus(t *testing.T) {
	sch := referenceOutcomeSchema(t)
	generic := compileDoc(t, false, OutcomeSchemaID, OutcomeSchema)
	for _, c := range loadOutcomeCorpus(t) {
		t.Run(c.name, func(t *testing.T) {
			libValid, judged, detail := libVerdict(sch, c.data)
			if !judged || libValid != c.valid {
				t.Errorf("schema library says valid=%v (judged %v), want %v (%v)", libValid, judged, c.valid, detail)
			}
			genValid, _, _ := libVerdict(generic, c.data)
			if want := c.valid || strings.Contains(c.name, "order"); genValid != want {
				t.Errorf("generic validator says valid=%v, want %v", genValid, want)
			}
			o, err := DecodeOutcome(c.data)
			if (err == nil) != c.valid {
				t.Fatalf("DecodeOutcome says valid=%v, want %v: %v", err == nil, c.valid, err)
			}
			if c.valid {
				checkOutcomeAccepted(t, &o)
				return
			}
			checkDecodeError(t, err)
			want := c.field
			if want == "_record" {
				want = ""
			}
			if fields := errorFields(err); !slices.Contains(fields, want) {
				t.Errorf("error names fields %q, want %q: %v", fields, want, err)
			}
		})
	}
}

// checkOutcomeAccepted: Validate agrees, AppendJSON equals json.Marshal and
// decodes to the same record.
func checkOutcomeAccepted(t *testing.T, o *Outcome) {
	t.Helper()
	if err := o.Validate(); err != nil {
		t.Fatalf("accepted outcome fails Validate: %v", err)
	}
	enc := o.AppendJSON(nil)
	std, err := json.Marshal(o)
	if err != nil || string(std) != string(enc) {
		t.Fatalf("AppendJSON %s, json.Marshal %s (%v)", enc, std, err)
	}
	back, err := DecodeOutcome(enc)
	if err != nil || string(back.AppendJSON(nil)) != string(enc) || !back.ObservedAt.Equal(o.ObservedAt) {
		t.Fatalf("round trip of %s: %+v, %v", enc, back, err)
	}
	if o.Revision < 1 || (o.Kind == OutcomeSurvey) != (o.Survey != nil) || (o.Kind == OutcomeResolution) != (o.Resolution != nil) {
		t.Fatalf("accepted outcome breaks an invariant: %s", enc)
	}
}

func TestDecodeOutcomeExample(t *testing.T) {
	o, err := DecodeOutcome([]byte(`{"tenant_id":"acme","outcome_id":"s-1","interaction_id":"c-42","kind":"survey","observed_at":"2026-11-20T10:00:00Z","survey":{"score":4,"scale_min":1,"scale_max":5}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := Outcome{TenantID: "acme", OutcomeID: "s-1", Revision: 1, InteractionID: "c-42", Kind: OutcomeSurvey,
		ObservedAt: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC), Survey: &Survey{Score: 4, ScaleMin: 1, ScaleMax: 5}}
	if string(o.AppendJSON(nil)) != string(want.AppendJSON(nil)) {
		t.Errorf("got %s, want %s", o.AppendJSON(nil), want.AppendJSON(nil))
	}
	if string(OutcomeKey(&o)) != "acme/c-42" {
		t.Errorf("key %q", OutcomeKey(&o))
	}
	_, err = DecodeOutcome([]byte(`{"tenant_id":"acme","outcome_id":"s-1","interaction_id":"c-42","kind":"survey","observed_at":"2026-11-20T10:00:00Z","survey":{"score":6,"scale_min":1,"scale_max":5}}`))
	if err == nil || err.Error() != "survey.score: must be on the scale 1 to 5, got 6" {
		t.Errorf("err = %v", err)
	}
	if !errors.Is(err, ErrInvalid) {
		t.Error("not ErrInvalid")
	}
}

func TestOutcomeValidateGoValues(t *testing.T) {
	o := Outcome{TenantID: "acme", OutcomeID: "r", Revision: 1, InteractionID: "c", Kind: OutcomeResolution,
		ObservedAt: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC), Resolution: &Resolution{Resolved: true}}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	o.Survey = &Survey{Score: 1, ScaleMin: 1, ScaleMax: 5}
	o.Revision = 0
	o.ObservedAt = time.Time{}
	err := o.Validate()
	if got := strings.Join(errorFields(err), ","); got != "revision,observed_at,survey" {
		t.Errorf("fields %s: %v", got, err)
	}
}

// FuzzDecodeOutcome: the Go decoder and the schema agree on every input,
// the decoder never panics, and accepted records round-trip.
func FuzzDecodeOutcome(f *testing.F) {
	for _, c := range loadOutcomeCorpus(f) {
		f.Add(c.data)
	}
	sch := referenceOutcomeSchema(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := DecodeOutcome(data)
		if err != nil {
			checkDecodeError(t, err)
		} else {
			checkOutcomeAccepted(t, &o)
		}
		if hugeExponent.Match(data) {
			return
		}
		libValid, judged, detail := libVerdict(sch, data)
		if judged && libValid != (err == nil) {
			t.Fatalf("verdicts differ on %q:\n  schema library valid=%v (%v)\n  Go decoder valid=%v (%v)", data, libValid, detail, err == nil, err)
		}
	})
}

func BenchmarkDecodeOutcome(b *testing.B) {
	data := []byte(`{"tenant_id":"acme","outcome_id":"s-1","interaction_id":"c-42","kind":"survey","observed_at":"2026-11-20T10:00:00Z","survey":{"score":4,"scale_min":1,"scale_max":5}}`)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := DecodeOutcome(data); err != nil {
			b.Fatal(err)
		}
	}
}
