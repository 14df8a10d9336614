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

// TestRetainDuringCompact: a Compact running during a retention pass (the
// compactor of another process) reads September's hours before the pass
// deletes them and writes September's month rollup after the pass deleted
// the rollups starting before the cutoff; here that rollup (rows and
// state, as sealed before the pass) is written back after the pass. Reads
// start at the first touched day, so the stale rollup is only reached
// once a touch before September exists again: a late record below the
// cutoff (the processor does not know tenants' retention; the next pass
// removes it), here on August 31. Reads must still not use it: the pass's
// touch of the cutoff day makes every period containing the cutoff stale,
// so August 1 to October reads the late record and September's days from
// the cutoff on, at once and after the next Compact reseals September.
func TestRetainDuringCompact(t *testing.T) {
	s := openStore(t, newDatabase(t))
	ctx := context.Background()
	db := s.cfg.Database
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
	var its []schemas.Interaction
	for d := day(9, 1); d.Before(day(11, 1)); d = d.Add(24 * time.Hour) {
		for _, a := range []string{"a1", "a2"} {
			end := d.Add(10 * time.Hour)
			its = append(its, schemas.Interaction{TenantID: "t1", InteractionID: fmt.Sprintf("%s-%s", a, d.Format("0102")), Revision: 1,
				Model: "voice", AgentID: a, TeamID: "t", Inquiry: "billing", StartedAt: end.Add(-time.Minute), EndedAt: end,
				HandleTimeS: 60, Source: "api"})
		}
	}
	storetest.Fill(t, s, its, 2, 40)
	if _, err := s.Compact(ctx, 0); err != nil {
		t.Fatal(err)
	}
	sept := day(9, 1).Unix()
	exec := func(q string) {
		t.Helper()
		if err := s.conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// What the concurrent Compact would write: September's month rollup
	// from the hours before the pass.
	exec(fmt.Sprintf(`CREATE TABLE %[1]s.saved_rollups ENGINE = Memory AS SELECT * FROM %[1]s.rollups WHERE tenant_id = 't1' AND span = %[2]d AND period = %[3]d`, db, store.SpanMonth, sept))
	exec(fmt.Sprintf(`CREATE TABLE %[1]s.saved_state ENGINE = Memory AS SELECT * FROM %[1]s.rollup_state WHERE tenant_id = 't1' AND span = %[2]d AND period = %[3]d`, db, store.SpanMonth, sept))
	if n, err := s.count(ctx, `SELECT count() FROM `+db+`.saved_state`); err != nil || n != 1 {
		t.Fatalf("September's month state before the pass: %d (%v)", n, err)
	}
	volume := func(from time.Time) int64 {
		t.Helper()
		var v int64
		err := s.SumBuckets(ctx, store.SumQuery{Tenant: "t1", Model: "voice", To: day(10, 1), Starts: []time.Time{from}}, func(c store.CellSums) error {
			v += c.Sums[0].Volume
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := volume(day(9, 1)); v != 60 {
		t.Fatalf("September before the pass: volume %d, want 60", v)
	}
	cut := day(9, 11)
	if _, err := s.Retain(ctx, map[string]time.Time{"t1": cut}); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second pass removes nothing, and touches nothing
		if n, err := s.count(ctx, `SELECT count() FROM `+db+`.bucket_touches WHERE log_partition = ?`, store.RetentionPartition); err != nil || n != 1 {
			t.Fatalf("touches of the cutoff day: %d (%v), want 1", n, err)
		}
		if _, err := s.Retain(ctx, map[string]time.Time{"t1": cut}); err != nil {
			t.Fatal(err)
		}
	}
	exec(fmt.Sprintf(`INSERT INTO %[1]s.rollups SELECT * FROM %[1]s.saved_rollups`, db))
	exec(fmt.Sprintf(`INSERT INTO %[1]s.rollup_state SELECT * FROM %[1]s.saved_state`, db))
	end := day(8, 31).Add(10 * time.Hour)
	late := schemas.Interaction{TenantID: "t1", InteractionID: "late", Revision: 1, Model: "voice", AgentID: "a1", TeamID: "t",
		Inquiry: "billing", StartedAt: end.Add(-time.Minute), EndedAt: end, HandleTimeS: 60, Source: "api"}
	for _, b := range storetest.Batches(append(its, late), 2, 40) { // its batch, after the others of its partition
		if slices.ContainsFunc(b.Records, func(r store.Record) bool { return r.InteractionID == "late" }) {
			if err := s.Apply(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
	}
	if v, want := volume(day(8, 1)), volume(cut)+1; v != want || want != 41 {
		t.Fatalf("August 1 to October after the pass, with the concurrent Compact's September rollup: volume %d, want %d (the late record and September from the cutoff: 41)", v, want)
	}
	if _, err := s.Compact(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if v := volume(day(8, 1)); v != 41 {
		t.Fatalf("August 1 to October after the next Compact: volume %d, want 41", v)
	}
	ix, err := s.loadIndex(ctx, "t1", "voice")
	if err != nil {
		t.Fatal(err)
	}
	if r := ix.rollup(store.Period{Span: store.SpanMonth, Start: sept}); !r.Use {
		t.Errorf("September's month rollup not resealed: %+v", r)
	}
}
