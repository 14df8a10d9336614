package api_test

import (
	"encoding/json"
	"testing"

	"github.com/agentpulse/agentpulse/views"
)

// TestTrendEqualsReference: GET /v1/agents/{agent}/trend and GET
// /v1/teams/{team}/trend answer the reference's series, point by point.
func TestTrendEqualsReference(t *testing.T) {
	e := newEnv(t)
	f := newFixture(t, e)
	for _, c := range []struct {
		target  string
		inquiry string
		step    views.TrendStep
		spec    views.RangeSpec
	}{
		{"/v1/agents/" + f.agent + "/trend?model=voice&step=day&range=1w", "", views.TrendDay, views.RangeSpec{Preset: views.Preset1W}},
		{"/v1/agents/" + f.agent + "/trend?model=voice&inquiry=" + f.inquiry, f.inquiry, views.TrendWeek, views.RangeSpec{Preset: views.Preset3M}},
	} {
		code, body := e.get(f.tokens["agent self"], c.target)
		if code != 200 {
			t.Fatalf("GET %s = %d %s", c.target, code, body)
		}
		var got views.Trend
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		want, err := e.ref.Trend(e.tenant, f.agent, "voice", c.inquiry, c.spec, c.step)
		if err != nil {
			t.Fatal(err)
		}
		if d := views.ExactDiff(got, want); d != nil || len(want.Points) == 0 {
			t.Errorf("%s differs from the reference (%d points): %v", c.target, len(want.Points), d)
		}
	}
	code, body := e.get(f.tokens["agent self"], "/v1/agents/"+f.agent+"/standing?model=voice")
	var st views.Standing
	if code != 200 || json.Unmarshal(body, &st) != nil {
		t.Fatalf("standing = %d %s", code, body)
	}
	wantSt, err := e.ref.Standing(e.tenant, f.agent, "voice", views.RangeSpec{})
	if err != nil {
		t.Fatal(err)
	}
	if d := views.ExactDiff(st, wantSt); d != nil {
		t.Errorf("standing differs from the reference: %v", d)
	}
	code, body = e.get(f.tokens["admin"], "/v1/teams/"+f.team+"/trend?model=voice&step=day&range=1w")
	if code != 200 {
		t.Fatalf("team trend = %d %s", code, body)
	}
	var got views.TeamTrend
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	want, err := e.ref.TeamTrend(e.tenant, f.team, "voice", views.RangeSpec{Preset: views.Preset1W}, views.TrendDay)
	if err != nil {
		t.Fatal(err)
	}
	if d := views.ExactDiff(got, want); d != nil || len(want.Agents) == 0 {
		t.Errorf("team trend differs from the reference (%d agents): %v", len(want.Agents), d)
	}
}
