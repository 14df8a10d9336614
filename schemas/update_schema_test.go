package schemas

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

func compileUpdateSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(UpdateSchema))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource(UpdateSchemaID, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(UpdateSchemaID)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func validateAgainst(sch *jsonschema.Schema, b []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return err
	}
	return sch.Validate(v)
}

// randomUpdate is an update the processor could publish: ids, models and
// inquiries as interaction.schema.json allows them, times in any zone.
func randomUpdate(rng *rand.Rand) Update {
	ids := []string{"acme", "a1", "team-02", "x.y@z", "A_9-b"}
	inquiries := []string{"billing", "é ü 漢字", "a \"quoted\" <b>", "x"}
	models := []string{"voice", "chat", "e-mail_2"}
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	zones := []*time.Location{time.UTC, time.FixedZone("plus", 5*3600+30*60), time.FixedZone("minus", -11*3600)}
	when := func() time.Time {
		return time.Unix(rng.Int64N(4e9), rng.Int64N(2e9)).In(zones[rng.IntN(len(zones))])
	}
	u := Update{Tenant: pick(ids), Model: pick(models), Agent: pick(ids), Partition: int32(rng.IntN(64)), Offset: rng.Int64N(1 << 40)}
	if rng.IntN(5) != 0 {
		u.Buckets = []UpdateBucket{}
		for range rng.IntN(4) {
			u.Buckets = append(u.Buckets, UpdateBucket{Team: pick(ids), Inquiry: pick(inquiries), Hour: when().Truncate(time.Hour), Version: rng.Int64N(1 << 40),
				Sums: UpdateSums{Volume: rng.Int64N(1e6), HandleSum: rng.Float64() * 1e6, PsatN: rng.Int64N(9), PsatSum: rng.Float64() * 9, PresN: -rng.Int64N(3), PresSum: -rng.Float64()}})
		}
	}
	if rng.IntN(5) != 0 {
		u.Interactions = []UpdateInteraction{}
		for range rng.IntN(4) {
			u.Interactions = append(u.Interactions, UpdateInteraction{ID: pick(ids) + "/~!", Revision: 1 + rng.Int64N(5), Inquiry: pick(inquiries), EndedAt: when()})
		}
	}
	return u
}

// TestUpdateEncoderMatchesSchema validates AppendJSON's output against
// update.schema.json, and checks the schema refuses what is not an update.
func TestUpdateEncoderMatchesSchema(t *testing.T) {
	sch := compileUpdateSchema(t)
	rng := rand.New(rand.NewPCG(12, 6))
	for range 500 {
		u := randomUpdate(rng)
		b, err := u.AppendJSON(nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := validateAgainst(sch, b); err != nil {
			t.Fatalf("%s does not match update.schema.json: %v", b, err)
		}
		back, err := DecodeUpdate(b)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := back.AppendJSON(nil)
		if !bytes.Equal(again, b) {
			t.Fatalf("round trip\n%s\n%s", b, again)
		}
	}
	marker := Rebuilt(3, 123456)
	mb, err := marker.AppendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(mb) != `{"kind":"rebuilt","partition":3,"offset":123456}` {
		t.Fatalf("marker encodes as %s", mb)
	}
	if err := validateAgainst(sch, mb); err != nil {
		t.Fatalf("%s does not match update.schema.json: %v", mb, err)
	}
	if back, err := DecodeUpdate(mb); err != nil || back.Kind != KindRebuilt || back.Partition != 3 || back.Offset != 123456 || back.Tenant != "" || back.Buckets != nil {
		t.Fatalf("marker decodes as %+v, %v", back, err)
	}
	good := `{"tenant":"acme","model":"voice","agent":"a1","partition":0,"offset":7,"buckets":[{"team":"t1","inquiry":"billing","hour":"2026-01-01T10:00:00Z","sums":{"volume":1,"handle_sum":300,"psat_n":0,"psat_sum":0,"pres_n":0,"pres_sum":0},"version":3}],"interactions":null}`
	if err := validateAgainst(sch, []byte(good)); err != nil {
		t.Fatalf("hand-written update refused: %v", err)
	}
	for _, bad := range []string{
		`{}`,
		`{"kind":"rebuilt","partition":3}`, // marker without offset
		`{"kind":"rebuilt","partition":3,"offset":1,"tenant":"acme"}`,                                                                                                          // marker with an update's field
		`{"kind":"other","partition":3,"offset":1}`,                                                                                                                            // unknown kind
		`{"tenant":"acme","model":"voice","agent":"a1","partition":0,"offset":7,"buckets":null}`,                                                                               // no interactions
		`{"tenant":"acme","model":"voice","agent":"a1","partition":-2,"offset":7,"buckets":null,"interactions":null}`,                                                          // partition (-1 is the learner's)
		`{"tenant":"acme","model":"Voice","agent":"a1","partition":0,"offset":7,"buckets":null,"interactions":null}`,                                                           // model
		`{"tenant":"acme","model":"voice","agent":"a1","partition":0,"offset":7,"buckets":null,"interactions":null,"extra":1}`,                                                 // unknown field
		`{"tenant":"acme","model":"voice","agent":"a1","partition":0,"offset":7,"buckets":[{"team":"t1"}],"interactions":null}`,                                                // bucket fields
		`{"tenant":"acme","model":"voice","agent":"a1","partition":0,"offset":7,"buckets":null,"interactions":[{"id":"x","revision":1,"inquiry":"b","ended_at":"yesterday"}]}`, // time
	} {
		if validateAgainst(sch, []byte(bad)) == nil {
			t.Errorf("update.schema.json accepts %s", bad)
		}
	}
}
