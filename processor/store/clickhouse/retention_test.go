package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/storetest"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// TestRetainDropsWholeMonths: a month partition goes whole when every
// tenant with rows in it has a cutoff past its end (August: only t1), and
// by mutation otherwise (September: t1 whole, t2 before the 15th); the
// counts are what went; model_latest keeps the parts naming interactions
// that stay and loses those of a model with nothing left (t2's chat); a
// second pass sends nothing.
func TestRetainDropsWholeMonths(t *testing.T) {
	s := openStore(t, newDatabase(t))
	ctx := context.Background()
	var its []schemas.Interaction
	add := func(tenant, model string, from, to time.Time) {
		for d := from; d.Before(to); d = d.Add(24 * time.Hour) {
			end := d.Add(10 * time.Hour)
			its = append(its, schemas.Interaction{TenantID: tenant, InteractionID: fmt.Sprintf("%s-%s-%s", tenant, model, d.Format("0102")), Revision: 1,
				Model: model, AgentID: "a1", TeamID: "t", Inquiry: "billing", StartedAt: end.Add(-time.Minute), EndedAt: end,
				HandleTimeS: 60, Source: "api"})
		}
	}
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
	add("t1", "voice", day(8, 1), day(11, 1))
	add("t2", "voice", day(9, 1), day(11, 1))
	add("t2", "chat", day(9, 1), day(9, 5))
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
	if want := (store.RetainStats{Interactions: 18, Revisions: 18, Buckets: 18}); stats["t2"] != want {
		t.Errorf("t2 removed %+v, want %+v", stats["t2"], want)
	}
	for _, table := range []string{"interactions", "interaction_revisions", "buckets", "bucket_hours"} {
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
		// From model_latest itself, not the roster fallback.
		parts, err := s.latestParts(ctx, s.q.modelParts, tenant, "voice")
		if err != nil {
			t.Fatal(err)
		}
		if got, ok, err := s.firstCurrent(ctx, tenant, "voice", parts); err != nil || !ok || !got.Equal(latest) {
			t.Errorf("%s: model_latest answers %v, %v, %v; want %v", tenant, got, ok, err, latest)
		}
	}
	if latest, err := s.LatestData(ctx, "t2", "chat"); !errors.Is(err, store.ErrNoData) {
		t.Errorf("t2 chat: LatestData %v, %v; want no data", latest, err)
	}
	if n, err := s.count(ctx, `SELECT count() FROM `+s.cfg.Database+`.model_latest WHERE tenant_id = 't2' AND model = 'chat'`); err != nil || n != 0 {
		t.Errorf("t2 chat: %d model_latest rows left (%v)", n, err)
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

// TestEraseAgentRenamesAndDropsOldPlanRows: the agent's interactions,
// buckets and roster move to the pseudonym (figures as before), and the
// plan rows under the agent's id go once the erased state is stored
// under the pseudonym; a second call changes nothing.
func TestEraseAgentRenamesAndDropsOldPlanRows(t *testing.T) {
	s := openStore(t, newDatabase(t))
	ctx := context.Background()
	end := time.Date(2026, 9, 2, 10, 0, 0, 0, time.UTC)
	var its []schemas.Interaction
	for i, a := range []string{"a2", "a1", "a1"} { // a1's is the newest: model_latest names a1
		its = append(its, schemas.Interaction{TenantID: "t1", InteractionID: fmt.Sprintf("i%d", i), Revision: 1, Model: "voice", AgentID: a,
			TeamID: "t", Inquiry: "billing", StartedAt: end.Add(-time.Minute), EndedAt: end.Add(time.Duration(i) * time.Minute), HandleTimeS: 60, Source: "api"})
	}
	storetest.Fill(t, s, its, 1, 10)
	plan := store.PlanRecord{Version: 1, Plan: views.Plan{ID: "p1", TenantID: "t1", AgentID: "a1", Model: "voice", Inquiry: "billing",
		Status: views.PlanCancelled, Comments: []views.PlanComment{{By: "a1", Text: "private"}}}}
	if err := s.PutPlan(ctx, plan); err != nil {
		t.Fatal(err)
	}
	plan.Version, plan.Plan.AgentID, plan.Plan.Comments = 2, "erased-1", []views.PlanComment{{By: "erased-1"}}
	if err := s.PutPlan(ctx, plan); err != nil {
		t.Fatal(err)
	}
	got, err := s.EraseAgent(ctx, "t1", "a1", "erased-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Revisions != 2 || got.Buckets < 1 || got.Roster != 1 {
		t.Fatalf("EraseAgent changed %+v", got)
	}
	for agent, want := range map[string]int{"a1": 0, "erased-1": 2, "a2": 1} {
		rs, err := s.Recent(ctx, "t1", "voice", agent, "billing", 10)
		if err != nil || len(rs) != want {
			t.Errorf("Recent(%s) = %d, %v; want %d", agent, len(rs), err, want)
		}
	}
	var vol int64
	err = s.Buckets(ctx, store.BucketQuery{Tenant: "t1", Model: "voice", Agent: "erased-1", From: end.Add(-time.Hour), To: end.Add(time.Hour)},
		func(b store.Bucket) error { vol += b.Volume; return nil })
	if err != nil || vol != 2 {
		t.Errorf("the pseudonym's bucket volume %d, %v; want 2", vol, err)
	}
	if n, err := s.count(ctx, `SELECT count() FROM `+s.cfg.Database+`.model_latest WHERE agent_id = 'a1'`); err != nil || n != 0 {
		t.Errorf("model_latest rows naming a1 after the erasure: %d (%v)", n, err)
	}
	parts, err := s.latestParts(ctx, s.q.modelParts, "t1", "voice")
	if err != nil {
		t.Fatal(err)
	}
	if got, ok, err := s.firstCurrent(ctx, "t1", "voice", parts); err != nil || !ok || !got.Equal(end.Add(2*time.Minute)) ||
		parts[0].agent != "erased-1" {
		t.Errorf("model_latest after the erasure: %+v answers %v, %v, %v; want erased-1's at %v", parts, got, ok, err, end.Add(2*time.Minute))
	}
	if old, err := s.Plans(ctx, store.PlanQuery{Tenant: "t1", Agent: "a1"}); err != nil || len(old) != 0 {
		t.Errorf("plans under a1 after the erasure: %+v, %v", old, err)
	}
	if p, err := s.Plan(ctx, "t1", "p1"); err != nil || p.Version != 2 || p.Plan.AgentID != "erased-1" {
		t.Errorf("plan p1: %+v, %v", p, err)
	}
	if again, err := s.EraseAgent(ctx, "t1", "a1", "erased-1"); err != nil || again != (store.AgentErased{}) {
		t.Errorf("second EraseAgent: %+v, %v", again, err)
	}
}
