package clickhouse

import (
	"context"
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
	want, err := ddl.Tables()
	if err != nil {
		t.Fatal(err)
	}
	if tables != uint64(len(want)) {
		t.Errorf("%d tables in %s, want %d (%v)", tables, cfg.Database, len(want), want)
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
