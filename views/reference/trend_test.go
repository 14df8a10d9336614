package reference

import (
	"testing"

	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// TestTrend: a hand-computed daily and weekly trend. Three agents, min
// volume 2. Day 1 (Mon 2026-11-23): a (T1) 100, 200; b (T1) 300, 500; c
// (T2) 40. Day 2: a 60 on billing, 90 on tech; c 10, 30. The latest data
// is day 2 12:00 → a custom range of both days.
func TestTrend(t *testing.T) {
	its := []schemas.Interaction{
		ix("a1", "a", "T1", "billing", "2026-11-23T09:00:00Z", 100, none, none),
		ix("a2", "a", "T1", "billing", "2026-11-23T10:00:00Z", 200, none, none),
		ix("b1", "b", "T1", "billing", "2026-11-23T11:00:00Z", 300, none, none),
		ix("b2", "b", "T1", "billing", "2026-11-23T12:00:00Z", 500, none, none),
		ix("c1", "c", "T2", "billing", "2026-11-23T13:00:00Z", 40, none, none),
		ix("a3", "a", "T1", "billing", "2026-11-24T09:00:00Z", 60, none, none),
		ix("a4", "a", "T1", "tech", "2026-11-24T10:00:00Z", 90, none, none),
		ix("c2", "c", "T2", "billing", "2026-11-24T11:00:00Z", 10, none, none),
		ix("c3", "c", "T2", "billing", "2026-11-24T12:00:00Z", 30, none, none),
	}
	d := New(its, params2)
	spec := views.RangeSpec{Custom: true, From: ts("2026-11-23T06:00:00Z"), To: ts("2026-11-25T00:00:00Z")}
	tr, err := d.Trend("t1", "a", "voice", "", spec, views.TrendDay)
	if err != nil {
		t.Fatal(err)
	}
	if tr.TeamID != "T1" || len(tr.Points) != 2 || !tr.Points[0].Partial || tr.Points[1].Partial {
		t.Fatalf("trend = %+v", tr)
	}
	p0, p1 := tr.Points[0], tr.Points[1]
	// Day 1: a = 150 (2); team T1 = 1100/4 = 275; population a 150, b 400
	// (c has 1 < 2): q1 = 150 + .25×250 = 212.5, median 275, q3 337.5.
	if p0.Agent.Volume != 2 || *p0.Agent.AHT != 150 || *p0.Agent.AES != 150 || *p0.Team.AHT != 275 || p0.Agent.PSAT != nil {
		t.Errorf("day 1 agent %+v team %+v", p0.Agent, p0.Team)
	}
	if b := p0.Population.AHT; b == nil || b.N != 2 || b.Q1 != 212.5 || b.Median != 275 || b.Q3 != 337.5 || p0.Population.PSAT != nil {
		t.Errorf("day 1 band %+v", b)
	}
	// Day 2: a = 75 (2); team T1 = a's = 75; population a 75, c 20:
	// q1 33.75, median 47.5, q3 61.25.
	if p1.Agent.Volume != 2 || *p1.Agent.AHT != 75 || *p1.Team.AHT != 75 {
		t.Errorf("day 2 agent %+v team %+v", p1.Agent, p1.Team)
	}
	if b := p1.Population.AES; b == nil || b.N != 2 || b.Q1 != 33.75 || b.Median != 47.5 || b.Q3 != 61.25 {
		t.Errorf("day 2 band %+v", b)
	}
	// Weekly, billing only: one partial week; a = 360/3 = 120; population a
	// 120, b 400, c 80/3: sorted 26.67, 120, 400 → median 120.
	tr, err = d.Trend("t1", "a", "voice", "billing", spec, views.TrendWeek)
	if err != nil || len(tr.Points) != 1 || !tr.Points[0].Partial || *tr.Points[0].Agent.AHT != 120 || tr.Points[0].Population.AHT.Median != 120 {
		t.Fatalf("weekly = %+v, %v", tr, err)
	}
	// The team's series: a and b (T1), two days; b has no day 2.
	tt, err := d.TeamTrend("t1", "T1", "voice", spec, views.TrendDay)
	if err != nil || len(tt.Agents) != 2 || tt.Agents[0].AgentID != "a" || tt.Agents[1].AgentID != "b" ||
		*tt.Agents[1].Points[0].AES != 400 || tt.Agents[1].Points[1].AES != nil || tt.Agents[1].Points[1].Volume != 0 || len(tt.Periods) != 2 {
		t.Fatalf("team trend = %+v, %v", tt, err)
	}
	if _, err := d.Trend("t1", "a", "fax", "", spec, views.TrendDay); err == nil {
		t.Error("a model without data answered")
	}
}

// TestStanding: min volume 2; over both days a = 510/4 = 127.5, b = 400,
// c = 80/3 ≈ 26.7: c best, a second (better than b: 1 of 3 → 33.3 %), b
// third.
func TestStanding(t *testing.T) {
	its := []schemas.Interaction{
		ix("a1", "a", "T1", "billing", "2026-11-23T09:00:00Z", 100, none, none),
		ix("a2", "a", "T1", "billing", "2026-11-23T10:00:00Z", 200, none, none),
		ix("a3", "a", "T1", "billing", "2026-11-24T09:00:00Z", 60, none, none),
		ix("a4", "a", "T1", "tech", "2026-11-24T10:00:00Z", 150, none, none),
		ix("b1", "b", "T1", "billing", "2026-11-23T11:00:00Z", 300, none, none),
		ix("b2", "b", "T1", "billing", "2026-11-23T12:00:00Z", 500, none, none),
		ix("c1", "c", "T2", "billing", "2026-11-23T13:00:00Z", 40, none, none),
		ix("c2", "c", "T2", "billing", "2026-11-24T11:00:00Z", 10, none, none),
		ix("c3", "c", "T2", "billing", "2026-11-24T12:00:00Z", 30, none, none),
		ix("d1", "d", "T2", "billing", "2026-11-24T12:30:00Z", 5, none, none),
	}
	d := New(its, params2)
	s, err := d.Standing("t1", "a", "voice", views.RangeSpec{})
	if err != nil || s.Population != 3 || s.Volume != 4 || *s.Rank != 2 || !views.AlmostEqual(*s.BetterThanPct, 100.0/3) || s.Label == nil {
		t.Fatalf("standing of a = %+v, %v", s, err)
	}
	if s, _ := d.Standing("t1", "d", "voice", views.RangeSpec{}); s.Label != nil || s.Rank != nil || s.BetterThanPct != nil || s.Volume != 1 {
		t.Fatalf("below min volume: %+v", s)
	}
}
