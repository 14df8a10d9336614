package processor

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/ingest"
	"github.com/agentpulse/agentpulse/ingest/simulator"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse/chtest"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/schemas"
	"time"
)

// TestIngestToStoreEqualsReference is the differential test of the whole
// write path on both stores: a simulated feed with duplicates, revisions
// and late arrivals is POSTed as NDJSON to the real ingest endpoint, goes
// through the broker and the processor into the store, and every stored
// figure must equal views/reference over the same interactions.
func TestIngestToStoreEqualsReference(t *testing.T) {
	stores := map[string]func(t *testing.T) store.Store{
		"embedded": func(*testing.T) store.Store { return embedded.New() },
		"clickhouse": func(t *testing.T) store.Store {
			st, err := clickhouse.Open(context.Background(), clickhouse.Config{Addr: []string{chtest.Start(t)}, Database: "e2e"})
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			defer st.Close()
			its := simulated(t, 10, 10)
			addr := startBroker(t)
			producer, err := ingest.NewProducer(ingest.ProducerConfig{Brokers: []string{addr}})
			if err != nil {
				t.Fatal(err)
			}
			defer producer.Close()
			secret := []byte("0123456789abcdef0123456789abcdef")
			h, err := ingest.NewHTTPHandler(ingest.HTTPConfig{}, producer, auth.Verifier{Secret: secret})
			if err != nil {
				t.Fatal(err)
			}
			r := chi.NewRouter()
			h.Routes(r)
			srv := httptest.NewServer(r)
			defer srv.Close()

			stop := runProcessor(t, addr, st, "e2e")
			defer stop()
			byTenant := map[string][]schemas.Interaction{}
			for _, it := range its {
				byTenant[it.TenantID] = append(byTenant[it.TenantID], it)
			}
			for tenant, batch := range byTenant {
				tok, err := auth.Mint(secret, auth.Claims{Tenant: tenant, Subject: "feed", Role: auth.RoleIngest}, time.Hour)
				if err != nil {
					t.Fatal(err)
				}
				sink, err := simulator.NewHTTPSink(simulator.HTTPSinkConfig{URL: srv.URL + "/v1/ingest/interactions", Token: tok, Logger: quietLogger()})
				if err != nil {
					t.Fatal(err)
				}
				for i := 0; i < len(batch); i += 1000 {
					if err := sink.Send(context.Background(), batch[i:min(i+1000, len(batch))]); err != nil {
						t.Fatal(err)
					}
				}
			}
			waitCaughtUp(t, st, endOffsets(t, addr), 120*time.Second)
			checkAgainstReference(t, st, its)
		})
	}
}
