package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
)

func f64(v float64) *float64 { return &v }

// sample returns a valid interaction; the suite in storetest covers the
// contract, these tests cover what is particular to ClickHouse.
func sample(id string, rev int64, agent string, ended time.Time) schemas.Interaction {
	return schemas.Interaction{
		TenantID: "t1", InteractionID: id, Revision: rev, Model: "voice", AgentID: agent, TeamID: "team", Inquiry: "billing",
		StartedAt: ended.Add(-5 * time.Minute), EndedAt: ended, HandleTimeS: 300, PredictedSatisfaction: f64(0.9),
		Source: "simulator", SourceRefs: mustRefs(map[string]string{"contact_id": id}), Attributes: mustAttrs(map[string]any{"k": 1.0}),
	}
}

// dump reads everything a store holds for tenant t1 into text.
func dump(t *testing.T, s *Store, agents []string) string {
	t.Helper()
	ctx := context.Background()
	var sb strings.Builder
	err := s.Buckets(ctx, store.BucketQuery{Tenant: "t1", Model: "voice", From: time.Unix(0, 0), To: time.Unix(1<<32-1, 0)}, func(b store.Bucket) error {
		fmt.Fprintf(&sb, "bucket %+v\n", b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Buckets' order is unspecified; sort lines.
	lines := strings.Split(sb.String(), "\n")
	sortLines(lines)
	sb.Reset()
	sb.WriteString(strings.Join(lines, "\n"))
	for _, a := range agents {
		got, err := s.Recent(ctx, "t1", "voice", a, "billing", 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range got {
			fmt.Fprintf(&sb, "recent %s %s\n", a, it.AppendJSON(nil))
		}
	}
	latest, err := s.LatestData(ctx, "t1", "voice")
	fmt.Fprintf(&sb, "latest %v %v\n", latest, err)
	var recs []string
	if err := s.LoadPartition(ctx, 0, 1<<62, func(r store.Record) error {
		recs = append(recs, fmt.Sprintf("load %d %s", r.Offset, r.AppendJSON(nil)))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	sortLines(recs)
	sb.WriteString(strings.Join(recs, "\n"))
	cp, err := s.Checkpoint(ctx, 0)
	fmt.Fprintf(&sb, "\ncheckpoint %d %v\n", cp, err)
	return sb.String()
}

func sortLines(s []string) { slices.Sort(s) }

// TestReadsBeforeAndAfterMerges: reads are the same whether or not
// ReplacingMergeTree has merged duplicates and old versions away, and
// merging does collapse them.
func TestReadsBeforeAndAfterMerges(t *testing.T) {
	s := openStore(t, newDatabase(t))
	ctx := context.Background()
	t0 := time.Date(2026, 3, 10, 14, 30, 0, 0, time.UTC)
	a1, b1 := sample("a", 1, "x", t0), sample("b", 1, "x", t0.Add(time.Minute))
	a2 := sample("a", 2, "y", t0.Add(-time.Hour)) // moves agent and hour
	bucket := func(agent string, hour time.Time, version, volume int64) store.Bucket {
		b := store.Bucket{BucketKey: store.BucketKey{Tenant: "t1", Model: "voice", Team: "team", Agent: agent, Inquiry: "billing", Hour: hour.Truncate(time.Hour)}, Version: version}
		b.Volume, b.HandleSum = volume, 300*float64(volume)
		return b
	}
	roster := func(agent string, it schemas.Interaction, version int64) store.RosterPart {
		return store.RosterPart{Tenant: "t1", Agent: agent, Model: "voice", Team: "team", InteractionID: it.InteractionID, EndedAt: it.EndedAt, Version: version}
	}
	batch1 := store.Batch{Records: []store.Record{{Interaction: a1, Offset: 0}, {Interaction: b1, Offset: 1}},
		Buckets: []store.Bucket{bucket("x", t0, 1, 2)}, Roster: []store.RosterPart{roster("x", b1, 1)},
		Latest: []store.LatestPart{{Tenant: "t1", Model: "voice", Agent: "x", InteractionID: b1.InteractionID, EndedAt: b1.EndedAt, Version: 1}}, Next: 2}
	batch2 := store.Batch{Records: []store.Record{{Interaction: a2, Offset: 2}},
		Buckets: []store.Bucket{bucket("x", t0, 2, 1), bucket("y", t0.Add(-time.Hour), 2, 1)},
		Roster:  []store.RosterPart{roster("y", a2, 2)}, Next: 3}
	for _, b := range []store.Batch{batch1, batch2, batch1, batch2, batch2} {
		if err := s.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	agents := []string{"x", "y"}
	before := dump(t, s, agents)
	for _, table := range []string{"interactions", "interaction_revisions", "buckets", "roster", "model_latest", "checkpoints"} {
		if err := s.conn.Exec(ctx, "OPTIMIZE TABLE "+s.cfg.Database+"."+table+" FINAL"); err != nil {
			t.Fatalf("optimize %s: %v", table, err)
		}
	}
	after := dump(t, s, agents)
	if want := fmt.Sprintf("latest %v <nil>", b1.EndedAt); !strings.Contains(before, want) {
		t.Errorf("reads before merges lack %q:\n%s", want, before)
	}
	if before != after {
		t.Errorf("reads changed by merges:\n--- before\n%s\n--- after\n%s", before, after)
	}
	for table, want := range map[string]uint64{"interactions": 3, "interaction_revisions": 3, "buckets": 2, "roster": 2, "model_latest": 1, "checkpoints": 1} {
		var n uint64
		if err := s.conn.QueryRow(ctx, "SELECT count() FROM "+s.cfg.Database+"."+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("%s holds %d rows after merges, want %d", table, n, want)
		}
	}
	for _, want := range []string{`recent x {"tenant_id":"t1","interaction_id":"b"`, `recent y {"tenant_id":"t1","interaction_id":"a","revision":2`, "checkpoint 3 <nil>"} {
		if !strings.Contains(after, want) {
			t.Errorf("state lacks %q:\n%s", want, after)
		}
	}
	if strings.Contains(after, `recent x {"tenant_id":"t1","interaction_id":"a"`) {
		t.Errorf("a moved to agent y but is still recent for x:\n%s", after)
	}
}

// TestApplyRejectsInvalidBatchWhole: a batch with one unstorable value
// writes nothing.
func TestApplyRejectsInvalidBatchWhole(t *testing.T) {
	s := openStore(t, newDatabase(t))
	ctx := context.Background()
	t0 := time.Date(2026, 3, 10, 14, 30, 0, 0, time.UTC)
	good := store.Record{Interaction: sample("ok", 1, "x", t0), Offset: 0}
	hour := store.Bucket{BucketKey: store.BucketKey{Tenant: "t1", Model: "voice", Team: "team", Agent: "x", Inquiry: "billing", Hour: t0.Truncate(time.Hour)}, Version: 0}
	hour.Volume = 1
	for name, b := range map[string]store.Batch{
		"negative offset":     {Records: []store.Record{good, {Interaction: sample("bad", 1, "x", t0), Offset: -1}}, Next: 1},
		"zero ended_at":       {Records: []store.Record{good, {Interaction: schemas.Interaction{TenantID: "t1", InteractionID: "z"}}}, Next: 1},
		"bucket off the hour": {Records: []store.Record{good}, Buckets: []store.Bucket{{BucketKey: store.BucketKey{Hour: t0}}}, Next: 1},
		"negative version":    {Records: []store.Record{good}, Buckets: []store.Bucket{hour, {BucketKey: hour.BucketKey, Version: -1}}, Next: 1},
		"negative next":       {Records: []store.Record{good}, Next: -1},
	} {
		if err := s.Apply(ctx, b); !errors.Is(err, ErrInvalidBatch) {
			t.Errorf("%s: Apply = %v, want ErrInvalidBatch", name, err)
		}
	}
	if got := dump(t, s, []string{"x"}); strings.Contains(got, "recent") || strings.Contains(got, "bucket") || !strings.Contains(got, "checkpoint 0") {
		t.Errorf("a rejected batch left rows:\n%s", got)
	}
}

func TestClosedStore(t *testing.T) {
	s := openStore(t, newDatabase(t))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	ctx := context.Background()
	if err := s.Apply(ctx, store.Batch{Next: 1}); !errors.Is(err, ErrClosed) {
		t.Errorf("Apply after Close = %v", err)
	}
	if _, err := s.Checkpoint(ctx, 0); !errors.Is(err, ErrClosed) {
		t.Errorf("Checkpoint after Close = %v", err)
	}
	if _, err := s.Recent(ctx, "t", "m", "a", "i", 1); !errors.Is(err, ErrClosed) {
		t.Errorf("Recent after Close = %v", err)
	}
}

// TestOpenUnreachable: a server that refuses connections is retried, then
// reported with the attempts and the address; ctx bounds the wait.
func TestOpenUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	cfg := Config{Addr: []string{addr}, MaxRetries: 2, RetryBackoff: time.Millisecond, DialTimeout: time.Second}
	_, err = Open(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "gave up after 3 attempts") || !strings.Contains(err.Error(), addr) {
		t.Errorf("Open(%s) = %v, want a give-up after 3 attempts naming the address", addr, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cfg.MaxRetries = 1000
	if _, err := Open(ctx, cfg); !errors.Is(err, context.Canceled) {
		t.Errorf("Open with a canceled context = %v", err)
	}
}

// TestLatestDataFromModelParts: LatestData is the newest of the model's
// model_latest parts, in its zone; the answer follows corrections that
// move the newest interaction back in time or to another model, wherever
// the data lies relative to now, and many newer interactions moved away.
func TestLatestDataFromModelParts(t *testing.T) {
	s := openStore(t, newDatabase(t))
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	offset := int64(0)
	type pair struct{ agent, model string }
	cur := map[string]schemas.Interaction{}
	pairs := map[pair]bool{}
	put := func(its ...schemas.Interaction) {
		t.Helper()
		var b store.Batch
		for _, it := range its {
			b.Records = append(b.Records, store.Record{Interaction: it, Offset: offset})
			offset++
			cur[it.InteractionID] = it
			pairs[pair{it.AgentID, it.Model}] = true
		}
		b.Next = offset
		// The roster parts a fold would write: each pair's newest current
		// interaction (every pair, changed or not: a part is a full value).
		for p := range pairs {
			rp := store.RosterPart{Tenant: "t1", Agent: p.agent, Model: p.model, Version: offset}
			for _, it := range cur {
				if it.AgentID != p.agent || it.Model != p.model {
					continue
				}
				if rp.Empty() || it.EndedAt.After(rp.EndedAt) || it.EndedAt.Equal(rp.EndedAt) && it.InteractionID > rp.InteractionID {
					rp.InteractionID, rp.EndedAt, rp.Team = it.InteractionID, it.EndedAt, it.TeamID
				}
			}
			b.Roster = append(b.Roster, rp)
		}
		for _, model := range []string{"voice", "chat", "email"} {
			lp := store.LatestPart{Tenant: "t1", Model: model, Version: offset}
			for _, it := range cur {
				if it.Model == model && (lp.InteractionID == "" || it.EndedAt.After(lp.EndedAt) || it.EndedAt.Equal(lp.EndedAt) && it.InteractionID > lp.InteractionID) {
					lp.Agent, lp.InteractionID, lp.EndedAt = it.AgentID, it.InteractionID, it.EndedAt
				}
			}
			b.Latest = append(b.Latest, lp)
		}
		if err := s.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	expect := func(step string, want time.Time) {
		t.Helper()
		got, err := s.LatestData(ctx, "t1", "voice")
		if want.IsZero() {
			if !errors.Is(err, store.ErrNoData) {
				t.Errorf("%s: LatestData = %v, %v; want ErrNoData", step, got, err)
			}
			return
		}
		if err != nil || !got.Equal(want) {
			t.Errorf("%s: LatestData = %v, %v; want %v", step, got, err, want)
		}
	}
	move := func(it schemas.Interaction, rev int64, ended time.Time) schemas.Interaction {
		it.Revision, it.EndedAt, it.StartedAt = rev, ended, ended.Add(-time.Minute)
		return it
	}
	old := sample("old", 1, "x", now.Add(-500*24*time.Hour)) // beyond every bounded window
	put(old)
	expect("only very old data", old.EndedAt)
	edge := sample("edge", 1, "x", now.Add(-24*time.Hour-time.Second)) // just outside the day window
	put(edge)
	expect("just past a window edge", edge.EndedAt)
	future := sample("future", 1, "x", now.Add(3*time.Hour))
	recent := sample("recent", 1, "x", now.Add(-30*time.Minute))
	put(future, recent)
	expect("future data", future.EndedAt)
	put(move(future, 2, now.Add(-10*24*time.Hour)))
	expect("future moved back ten days", recent.EndedAt)
	put(move(recent, 2, now.Add(-2*24*time.Hour)))
	expect("recent moved back two days", edge.EndedAt)
	moved := edge
	moved.Revision, moved.Model = 2, "chat"
	put(moved)
	expect("edge moved to chat", now.Add(-2*24*time.Hour))
	var many []schemas.Interaction
	for i := range 300 { // more stale rows in the hour window than one page
		many = append(many, sample(fmt.Sprintf("m%03d", i), 1, "x", now.Add(-time.Duration(i)*time.Second)))
	}
	put(many...)
	expect("many recent", now)
	for i := range many {
		many[i].Revision, many[i].Model = 2, "email"
	}
	put(many...)
	expect("many recent moved away", now.Add(-2*24*time.Hour))
	kolkata := time.FixedZone("IST", 5*3600+1800)
	zoned := sample("zoned", 1, "x", now.Add(time.Hour).In(kolkata))
	zoned.StartedAt = zoned.StartedAt.In(kolkata)
	put(zoned)
	if got, err := s.LatestData(ctx, "t1", "voice"); err != nil || !got.Equal(zoned.EndedAt) || got.Format(time.RFC3339) != zoned.EndedAt.Format(time.RFC3339) {
		t.Errorf("zoned: LatestData = %v, %v; want %v in its zone", got, err, zoned.EndedAt)
	}
}

// TestCompressedConnection: Config.Compress (LZ4) works against the server.
func TestCompressedConnection(t *testing.T) {
	cfg := testConfig(t, newDatabase(t))
	cfg.Compress = true
	ctx := context.Background()
	s, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	it := sample("lz4", 1, "x", time.Date(2026, 3, 10, 14, 30, 0, 0, time.UTC))
	if err := s.Apply(ctx, store.Batch{Records: []store.Record{{Interaction: it}}, Next: 1}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Recent(ctx, "t1", "voice", "x", "billing", 5)
	if err != nil || len(got) != 1 || string(got[0].AppendJSON(nil)) != string(it.AppendJSON(nil)) {
		t.Errorf("Recent over LZ4 = %v, %v", got, err)
	}
}
