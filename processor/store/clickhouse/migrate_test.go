package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/schemas/ddl"
)

// TestMigrateAddsColumnsToOldTables: a database made before the ALTER
// statements of package ddl gains their columns on Open; rows written
// before read back with the new optional fields absent; rows written after
// keep them; migrating again changes nothing.
func TestMigrateAddsColumnsToOldTables(t *testing.T) {
	db := newDatabase(t)
	ctx := context.Background()
	stmts, err := ddl.Statements(db)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := ch.Open(&ch.Options{Addr: []string{needServer(t)}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, st := range stmts {
		if len(st.Columns) == 0 {
			if err := conn.Exec(ctx, st.SQL); err != nil {
				t.Fatalf("%s: %v", st.Name, err)
			}
		}
	}
	ended := time.Date(2026, 3, 1, 14, 0, 0, 0, time.UTC)
	old := sample("old", 1, "a1", ended)
	err = conn.Exec(ctx, "INSERT INTO "+db+".interactions (tenant_id, agent_id, model, inquiry, ended_at_ns, interaction_id, revision, "+
		"log_partition, log_offset, team_id, started_at_ns, started_at_offset, ended_at_offset, handle_time_s, "+
		"predicted_satisfaction, predicted_resolution, source, source_refs, attributes) "+
		fmt.Sprintf("SELECT 't1', 'a1', 'voice', 'billing', %d, 'old', 1, 0, 0, 'team', %d, 0, 0, 300, 0.9, NULL, 'simulator', '{\"contact_id\":\"old\"}', '{\"k\":1}'",
			ended.UnixNano(), old.StartedAt.UnixNano()))
	if err != nil {
		t.Fatal(err)
	}
	err = conn.Exec(ctx, "INSERT INTO "+db+".interaction_revisions (tenant_id, interaction_id, revision, log_partition, log_offset, ended_at_ns) "+
		fmt.Sprintf("SELECT 't1', 'old', 1, 0, 0, %d", ended.UnixNano()))
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t, db)
	for range 2 {
		if err := Migrate(ctx, testConfig(t, db)); err != nil {
			t.Fatalf("Migrate again: %v", err)
		}
	}
	got, err := s.Recent(ctx, "t1", "voice", "a1", "billing", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || string(got[0].AppendJSON(nil)) != string(old.AppendJSON(nil)) {
		t.Fatalf("old row read back as %v, want %s", got, old.AppendJSON(nil))
	}
	have, err := tableColumns(ctx, s.conn, db, "interactions")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range strings.Fields("hold_s queue_wait_s transfers customer_key chain_id initiation") {
		if !have[c] {
			t.Errorf("column %s was not added", c)
		}
	}
}

// TestMigrateConcurrently: processes migrating one database at the same
// time (a processor and a server starting together) all succeed, although
// 18.16 refuses an ALTER that adds a column another one just added.
func TestMigrateConcurrently(t *testing.T) {
	cfg := testConfig(t, newDatabase(t))
	errs := make(chan error, 4)
	for range 4 {
		go func() { errs <- Migrate(context.Background(), cfg) }()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Errorf("Migrate: %v", err)
		}
	}
}

// TestMigrateDropsTimeline: a database made before ddl 020 loses its
// interaction_timeline table on Open (LatestData reads the roster now),
// and migrating again changes nothing.
func TestMigrateDropsTimeline(t *testing.T) {
	db := newDatabase(t)
	ctx := context.Background()
	conn, err := ch.Open(&ch.Options{Addr: []string{needServer(t)}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	exists := func() uint64 {
		var n uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = ? AND name = 'interaction_timeline'", db).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, q := range []string{"CREATE DATABASE IF NOT EXISTS " + db,
		"CREATE TABLE " + db + ".interaction_timeline (tenant_id String, model String, ended_at_ns Int64, ended_at_offset Int32, " +
			"interaction_id String, revision Int64, log_partition Int32, log_offset Int64) ENGINE = ReplacingMergeTree() " +
			"ORDER BY (tenant_id, model, ended_at_ns, interaction_id, revision, log_partition, log_offset)"} {
		if err := conn.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if exists() != 1 {
		t.Fatal("old table not made")
	}
	openStore(t, db)
	for range 2 {
		if err := Migrate(ctx, testConfig(t, db)); err != nil {
			t.Fatalf("Migrate again: %v", err)
		}
	}
	if exists() != 0 {
		t.Error("interaction_timeline is still there after Open")
	}
}

// TestMigrateFillsModelLatest: a database written before model_latest
// existed (records and roster parts only) gets it filled from the roster
// on migration, so LatestData answers from it at once.
func TestMigrateFillsModelLatest(t *testing.T) {
	db := newDatabase(t)
	ctx := context.Background()
	s := openStore(t, db)
	ended := time.Date(2026, 3, 1, 14, 0, 0, 0, time.UTC)
	older, newer := sample("older", 1, "a1", ended), sample("newer", 1, "a2", ended.Add(time.Minute))
	part := func(it schemas.Interaction, p int32, version int64) store.RosterPart {
		return store.RosterPart{Tenant: "t1", Agent: it.AgentID, Model: "voice", Partition: p, Team: it.TeamID, InteractionID: it.InteractionID, EndedAt: it.EndedAt, Version: version}
	}
	b := store.Batch{Records: []store.Record{{Interaction: older, Offset: 0}, {Interaction: newer, Partition: 1, Offset: 0}},
		Roster: []store.RosterPart{part(older, 0, 0), part(newer, 1, 0)}, Next: 1}
	if err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := s.conn.Exec(ctx, "TRUNCATE TABLE "+db+".model_latest"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LatestData(ctx, "t1", "voice"); !errors.Is(err, store.ErrNoData) {
		t.Fatalf("LatestData before the backfill = %v, want ErrNoData", err)
	}
	for range 2 {
		if err := Migrate(ctx, testConfig(t, db)); err != nil {
			t.Fatal(err)
		}
	}
	var n uint64
	if err := s.conn.QueryRow(ctx, "SELECT count() FROM "+db+".model_latest").Scan(&n); err != nil || n != 2 {
		t.Fatalf("model_latest rows = %d, %v; want 2 (one per partition)", n, err)
	}
	if got, err := s.LatestData(ctx, "t1", "voice"); err != nil || !got.Equal(newer.EndedAt) {
		t.Fatalf("LatestData after the backfill = %v, %v; want %v", got, err, newer.EndedAt)
	}
}
