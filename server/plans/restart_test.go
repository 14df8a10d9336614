package plans_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/ingest/broker"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/processor/store/planlog"
	"github.com/agentpulse/agentpulse/views"
)

// TestRestart: a plan created, ticked and settled survives a restart of
// the process: embedded (plans on the broker's topic, broker restarted on
// its data dir, a new empty store) and ClickHouse (the store reopened).
func TestRestart(t *testing.T) {
	its := simulated(t)
	for _, kind := range storeKinds {
		t.Run(kind, func(t *testing.T) {
			var open func() (store.Store, store.PlanStore, func())
			switch kind {
			case "embedded":
				dir := filepath.Join(t.TempDir(), "broker")
				open = func() (store.Store, store.PlanStore, func()) {
					b, err := broker.StartEmbedded(broker.EmbeddedConfig{Addr: "127.0.0.1:0", DataDir: dir, Logger: slog.New(slog.DiscardHandler)})
					if err != nil {
						t.Fatal(err)
					}
					st := embedded.New()
					l, err := planlog.Open(t.Context(), planlog.Config{Brokers: []string{b.Addr()}}, st)
					if err != nil {
						t.Fatal(err)
					}
					return st, l, func() { _ = l.Close(); b.Close() }
				}
			case "clickhouse":
				db := fmt.Sprintf("plans_restart_%d_%d", os.Getpid(), time.Now().UnixNano())
				open = func() (store.Store, store.PlanStore, func()) {
					st := openClickHouse(t, db)
					return st, st, func() { _ = st.Close() }
				}
			}
			st, ps, closeFn := open()
			fill(t, st, its)
			e := newEnvOn(t, st, ps, its, t1)
			admin := token(t, auth.Claims{Tenant: e.tenant, Subject: "boss", Role: auth.RoleAdmin})
			agent := e.agents(e.tenant)[0]
			a := createPlan(t, e, admin, agent)
			b := createPlanOn(t, e, admin, agent, views.MetricAES)
			if code, got := e.do(admin, http.MethodPatch, "/v1/plans/"+a.ID+"/actions/1", `{"done":true}`); code != 200 {
				t.Fatalf("tick = %d: %s", code, got)
			}
			if code, got := e.do(admin, http.MethodPost, "/v1/plans/"+b.ID+"/cancel", ""); code != 200 {
				t.Fatalf("cancel = %d: %s", code, got)
			}
			if code, got := e.do(admin, http.MethodPut, "/v1/assistance-catalog", `{"items":["Only this"]}`); code != 200 {
				t.Fatalf("put catalog = %d: %s", code, got)
			}
			e.clock.set(t2)
			before := map[string]views.Plan{}
			for _, id := range []string{a.ID, b.ID} {
				_, got := e.do(admin, http.MethodGet, "/v1/plans/"+id, "")
				before[id] = decode[views.Plan](t, got)
			}
			closeFn()

			st2, ps2, close2 := open()
			defer close2()
			if kind == "embedded" {
				fill(t, st2, its) // the processor would replay the interactions
			}
			e2 := newEnvOn(t, st2, ps2, its, t2)
			for id, want := range before {
				code, got := e2.do(admin, http.MethodGet, "/v1/plans/"+id, "")
				if code != 200 {
					t.Fatalf("GET %s after restart = %d: %s", id, code, got)
				}
				if d, ok := samePlan(decode[views.Plan](t, got), want); !ok {
					t.Errorf("plan %s after restart: %s", id, d)
				}
			}
			if _, got := e2.do(admin, http.MethodGet, "/v1/assistance-catalog", ""); string(got) != `{"items":["Only this"]}`+"\n" {
				t.Errorf("catalog after restart: %s", got)
			}
		})
	}
}
