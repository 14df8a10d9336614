package clickhouse

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"

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
