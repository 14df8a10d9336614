package schemas

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// TestUpdateAppendJSONIsMarshal checks the hand-written encoder against
// json.Marshal, byte for byte, on random updates with awkward strings,
// floats, zones and times, and on the values it hands to json.Marshal.
func TestUpdateAppendJSONIsMarshal(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 1))
	strs := []string{"", "acme", "a\"b\\c", "<tag>&amp;", "tab\tnl\n\x00\x1f", "é ü 漢字", "bad \xff utf8", "\u2028\u2029", "team-02"}
	floats := []float64{0, 1, -1, 711, 0.911, 1e-7, -1e-7, 1e21, 1e20, 123456789.125, math.SmallestNonzeroFloat64, math.MaxFloat64, 1.0 / 3}
	zones := []*time.Location{time.UTC, time.FixedZone("plus", 5*3600+30*60), time.FixedZone("minus", -11*3600), time.FixedZone("sec", 3600+7)}
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	when := func() time.Time {
		t := time.Unix(rng.Int64N(4e9), rng.Int64N(2e9)).In(zones[rng.IntN(len(zones))])
		if rng.IntN(4) == 0 {
			t = t.Truncate(time.Hour)
		}
		return t
	}
	for i := range 2000 {
		u := Update{Tenant: pick(strs), Model: pick(strs), Agent: pick(strs), Partition: int32(rng.IntN(64)), Offset: rng.Int64N(1 << 40)}
		if i%7 != 0 {
			u.Buckets = []UpdateBucket{}
			for range rng.IntN(4) {
				u.Buckets = append(u.Buckets, UpdateBucket{Team: pick(strs), Inquiry: pick(strs), Hour: when(), Version: rng.Int64N(1 << 40),
					Sums: UpdateSums{Volume: rng.Int64N(1e6), HandleSum: floats[rng.IntN(len(floats))], PsatN: rng.Int64N(9), PsatSum: floats[rng.IntN(len(floats))], PresN: -3, PresSum: floats[rng.IntN(len(floats))] * rng.Float64()}})
			}
		}
		if i%5 != 0 {
			u.Interactions = []UpdateInteraction{}
			for range rng.IntN(4) {
				u.Interactions = append(u.Interactions, UpdateInteraction{ID: pick(strs), Revision: rng.Int64N(5), Inquiry: pick(strs), EndedAt: when()})
			}
		}
		if i%3 == 0 {
			u.Roster = &UpdateRoster{Team: pick(strs), InteractionID: pick(strs), EndedAt: when(), Version: rng.Int64N(1 << 40)}
		}
		compareUpdateJSON(t, &u)
	}
	// Values json.Marshal refuses: the same error, through json.Marshal.
	for _, u := range []Update{
		{Buckets: []UpdateBucket{{Sums: UpdateSums{HandleSum: math.NaN()}}}},
		{Buckets: []UpdateBucket{{Sums: UpdateSums{PresSum: math.Inf(-1)}}}},
		{Interactions: []UpdateInteraction{{EndedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}}},
		{Buckets: []UpdateBucket{{Hour: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}}},
		{Roster: &UpdateRoster{EndedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{Interactions: []UpdateInteraction{{EndedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("far", 25*3600))}}},
	} {
		compareUpdateJSON(t, &u)
	}
}

func compareUpdateJSON(t *testing.T, u *Update) {
	t.Helper()
	want, wantErr := json.Marshal(u)
	got, gotErr := u.AppendJSON([]byte("prefix"))
	if (wantErr != nil) != (gotErr != nil) {
		t.Fatalf("%+v: error %v, json.Marshal %v", u, gotErr, wantErr)
	}
	if wantErr != nil {
		return
	}
	if !bytes.Equal(got[len("prefix"):], want) || string(got[:len("prefix")]) != "prefix" {
		t.Fatalf("appendJSON\n%s\njson.Marshal\n%s", got, want)
	}
}
