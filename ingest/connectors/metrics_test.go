package connectors_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/agentpulse/agentpulse/ingest/connectors"
)

type fakePending struct{}

func (fakePending) Name() string { return "fake" }
func (fakePending) Stats() connectors.Stats {
	return connectors.Stats{Len: 3, Cap: 10, Pushed: 2, Expired: 7}
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := connectors.NewMetrics(reg)
	m.WatchPending(fakePending{})
	h := connectors.NewHandler(echo{}, func(context.Context, string, string, []connectors.Result) error { return nil },
		connectors.HandlerConfig{Metrics: m})
	for _, tenant := range []string{"acme", ""} {
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader([]byte("ok\nskip\nbad")))
		if tenant != "" {
			r.Header.Set("X-Tenant", tenant)
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	got := map[string]float64{}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			key := f.GetName()
			for _, l := range m.GetLabel() {
				key += " " + l.GetName() + "=" + l.GetValue()
			}
			switch {
			case m.GetCounter() != nil:
				got[key] = m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				got[key] = m.GetGauge().GetValue()
			}
		}
	}
	want := map[string]float64{
		"agentpulse_ingest_connector_deliveries_total connector=echo status=200":                       1,
		"agentpulse_ingest_connector_deliveries_total connector=echo status=401":                       1,
		"agentpulse_ingest_connector_results_total connector=echo outcome=accepted reason=":            1,
		"agentpulse_ingest_connector_results_total connector=echo outcome=failed reason=":              1,
		"agentpulse_ingest_connector_results_total connector=echo outcome=skipped reason=not_terminal": 1,
		"agentpulse_ingest_connector_pending_entries connector=fake":                                   3,
		"agentpulse_ingest_connector_pending_capacity_entries connector=fake":                          10,
		"agentpulse_ingest_connector_pending_limit_reached_total connector=fake":                       2,
		"agentpulse_ingest_connector_pending_expired_total connector=fake":                             7,
	}
	if len(got) != len(want) {
		t.Errorf("got %d series, want %d: %v", len(got), len(want), got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}
