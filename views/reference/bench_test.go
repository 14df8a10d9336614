package reference

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// benchInteractions returns n voice interactions of one tenant: 1000
// agents in 50 teams, 20 inquiries, over 90 days.
func benchInteractions(n int) []schemas.Interaction {
	r := rand.New(rand.NewPCG(42, 42))
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([]schemas.Interaction, n)
	for i := range out {
		agent := r.IntN(1000)
		end := start.Add(time.Duration(r.Int64N(int64(90 * 24 * time.Hour))))
		out[i] = schemas.Interaction{
			TenantID: "t1", InteractionID: fmt.Sprintf("c-%08d", i), Revision: 1, Model: "voice",
			AgentID: fmt.Sprintf("agent-%04d", agent), TeamID: fmt.Sprintf("team-%02d", agent%50),
			Inquiry: fmt.Sprintf("inquiry-%02d", r.IntN(20)), StartedAt: end.Add(-5 * time.Minute), EndedAt: end,
			HandleTimeS: float64(60 + r.IntN(900)), PredictedSatisfaction: f64(r.Float64()),
			PredictedResolution: f64(r.Float64()), Source: "simulator",
		}
	}
	return out
}

func BenchmarkAgentPerformance100k(b *testing.B) {
	d := New(benchInteractions(100_000), views.Params{})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		agent := fmt.Sprintf("agent-%04d", i%1000)
		if _, err := d.AgentPerformance("t1", agent, "voice", views.RangeSpec{}, views.SortSpec{}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkTeamAgents100k(b *testing.B) {
	d := New(benchInteractions(100_000), views.Params{})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.TeamAgents("t1", "team-07", "voice", views.RangeSpec{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNew100k(b *testing.B) {
	recs := benchInteractions(100_000)
	b.ReportAllocs()
	for b.Loop() {
		New(recs, views.Params{})
	}
}
