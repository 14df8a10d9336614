package clickhouse

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/storetest"
	"github.com/agentpulse/agentpulse/schemas/ddl"
)

func TestConformance(t *testing.T) {
	needServer(t)
	var mu sync.Mutex
	dbs := map[*testing.T]string{} // a second open with the same t reopens its database
	storetest.Run(t, func(t *testing.T) store.Store {
		mu.Lock()
		db, ok := dbs[t]
		if !ok {
			db = newDatabase(t)
			dbs[t] = db
		}
		mu.Unlock()
		return openStore(t, db)
	}, storetest.Durable())
}

func TestMigrateIsIdempotent(t *testing.T) {
	cfg := testConfig(t, newDatabase(t))
	ctx := context.Background()
	for i := range 3 {
		if err := Migrate(ctx, cfg); err != nil {
			t.Fatalf("Migrate #%d: %v", i+1, err)
		}
	}
	s := openStore(t, cfg.Database) // Open migrates once more
	var tables uint64
	if err := s.conn.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = ?", cfg.Database).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	stmts, err := ddl.Statements(cfg.Database)
	if err != nil {
		t.Fatal(err)
	}
	var want uint64 // one table per CREATE TABLE file (ALTERs add columns)
	for _, st := range stmts {
		if st.Table == "" && strings.Contains(st.SQL, "CREATE TABLE") {
			want++
		}
	}
	if tables != want {
		t.Errorf("%d tables in %s, want %d (one per CREATE TABLE statement)", tables, cfg.Database, want)
	}
}

func TestPlanConformance(t *testing.T) {
	needServer(t)
	var mu sync.Mutex
	dbs := map[*testing.T]string{}
	storetest.RunPlans(t, func(t *testing.T) store.PlanStore {
		mu.Lock()
		db, ok := dbs[t]
		if !ok {
			db = newDatabase(t)
			dbs[t] = db
		}
		mu.Unlock()
		return openStore(t, db)
	}, storetest.Durable())
}
