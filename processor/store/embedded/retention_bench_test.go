package embedded

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store/storetest"
	"github.com/agentpulse/agentpulse/schemas"
)

// BenchmarkRetain measures one retention pass over 100 days × 1,000
// interactions a day of one tenant that removes the oldest 10 days, and a
// pass that removes nothing (the hourly steady state), under the write
// lock.
func BenchmarkRetain(b *testing.B) {
	base := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	var its []schemas.Interaction
	for d := range 100 {
		for i := range 1000 {
			end := base.AddDate(0, 0, d).Add(time.Duration(i) * 80 * time.Second)
			its = append(its, schemas.Interaction{TenantID: "t1", InteractionID: fmt.Sprintf("i-%d-%d", d, i), Revision: 1, Model: "voice",
				AgentID: fmt.Sprintf("a%d", i%300), TeamID: fmt.Sprintf("t%d", i%30), Inquiry: "billing", StartedAt: end.Add(-time.Minute),
				EndedAt: end, HandleTimeS: 60, Source: "api", CustomerKey: fmt.Sprintf("c%d", i)})
		}
	}
	cut := map[string]time.Time{"t1": base.AddDate(0, 0, 10)}
	for _, name := range []string{"removes 10 days", "removes nothing"} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				s := New()
				storetest.Fill(b, s, its, 4, 5000)
				if name == "removes nothing" {
					if _, err := s.Retain(context.Background(), cut); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				if _, err := s.Retain(context.Background(), cut); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
