package clickhouse

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/storetest"
	"github.com/agentpulse/agentpulse/schemas"
)

// TestRetainDropsWholeMonths: a month partition goes whole when every
// tenant with rows in it has a cutoff past its end (August: only t1), and
// by mutation otherwise (September: t1 whole, t2 before the 15th); the
// counts are what went; a second pass sends nothing.
func TestRetainDropsWholeMonths(t *testing.T) {
	s := openStore(t, newDatabase(t))
	ctx := context.Background()
	var its []schemas.Interaction
	add := func(tenant string, from, to time.Time) {
		for d := from; d.Before(to); d = d.Add(24 * time.Hour) {
			end := d.Add(10 * time.Hour)
			its = append(its, schemas.Interaction{TenantID: tenant, InteractionID: fmt.Sprintf("%s-%s", tenant, d.Format("0102")), Revision: 1,
				Model: "voice", AgentID: "a1", TeamID: "t", Inquiry: "billing", StartedAt: end.Add(-time.Minute), EndedAt: end,
				HandleTimeS: 60, Source: "api"})
		}
	}
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
	add("t1", day(8, 1), day(11, 1))
	add("t2", day(9, 1), day(11, 1))
	storetest.Fill(t, s, its, 2, 40)
	partitions := func(table string) []string {
		var out []string
		rows, err := s.conn.Query(ctx, `SELECT DISTINCT partition FROM system.parts WHERE database = ? AND table = ? AND active`, s.cfg.Database, table)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				t.Fatal(err)
			}
			out = append(out, p)
		}
		slices.Sort(out)
		return out
	}
	if got := partitions("interactions"); !slices.Equal(got, []string{"202608", "202609", "202610"}) {
		t.Fatalf("partitions before: %v", got)
	}
	cutoffs := map[string]time.Time{"t1": day(10, 1), "t2": day(9, 15)}
	stats, err := s.Retain(ctx, cutoffs)
	if err != nil {
		t.Fatal(err)
	}
	if want := (store.RetainStats{Interactions: 61, Revisions: 61, Buckets: 61}); stats["t1"] != want {
		t.Errorf("t1 removed %+v, want %+v", stats["t1"], want)
	}
	if want := (store.RetainStats{Interactions: 14, Revisions: 14, Buckets: 14}); stats["t2"] != want {
		t.Errorf("t2 removed %+v, want %+v", stats["t2"], want)
	}
	for _, table := range []string{"interactions", "interaction_revisions", "interaction_timeline", "buckets", "bucket_hours"} {
		if got := partitions(table); !slices.Equal(got, []string{"202609", "202610"}) {
			t.Errorf("%s partitions after: %v, want August dropped", table, got)
		}
	}
	for tenant, cut := range cutoffs {
		n, err := s.count(ctx, `SELECT count() FROM `+s.cfg.Database+`.interactions WHERE tenant_id = ? AND ended_at_ns < ?`, tenant, cut.UnixNano())
		if err != nil || n != 0 {
			t.Errorf("%s: %d interactions before the cutoff left (%v)", tenant, n, err)
		}
		latest, err := s.LatestData(ctx, tenant, "voice")
		if err != nil || !latest.Equal(day(10, 31).Add(10*time.Hour)) {
			t.Errorf("%s: LatestData %v, %v", tenant, latest, err)
		}
	}
	mutations := func() int64 {
		n, err := s.count(ctx, `SELECT count() FROM system.mutations WHERE database = ?`, s.cfg.Database)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := mutations()
	again, err := s.Retain(ctx, cutoffs)
	if err != nil {
		t.Fatal(err)
	}
	if again["t1"] != (store.RetainStats{}) || again["t2"] != (store.RetainStats{}) || mutations() != before {
		t.Errorf("second pass: %+v, %d mutations sent", again, mutations()-before)
	}
}
