package compactor

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/views"
)

func TestRunSeals(t *testing.T) {
	st := embedded.New()
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var bs []store.Bucket
	for h := range 24 * 3 {
		bs = append(bs, store.Bucket{BucketKey: store.BucketKey{Tenant: "t", Model: "voice", Agent: "a", Team: "A", Inquiry: "x",
			Hour: base.Add(time.Duration(h) * time.Hour)}, Version: int64(h + 1), Sums: views.Sums{Volume: 1, HandleSum: 60}})
	}
	if err := st.Apply(context.Background(), store.Batch{Buckets: bs, Next: 100}); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Config{Store: st, Interval: 10 * time.Millisecond, Lateness: 12 * time.Hour, Registerer: reg})
	}()
	deadline := time.Now().Add(5 * time.Second)
	for counterValue(t, reg, "agentpulse_rollup_days_sealed_total") < 2 {
		if time.Now().After(deadline) {
			t.Fatal("no days sealed within 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Mar 1 and Mar 2 end 12h before the watermark (Mar 4 00:00); Mar 3 not.
	if got := counterValue(t, reg, "agentpulse_rollup_days_sealed_total"); got != 2 {
		t.Errorf("days sealed = %v, want 2", got)
	}
}

func TestValidate(t *testing.T) {
	if err := Run(context.Background(), Config{Lateness: -time.Second}); err == nil {
		t.Error("negative lateness accepted")
	}
	if err := Run(context.Background(), Config{Interval: -time.Second}); err == nil {
		t.Error("negative interval accepted")
	}
}

func counterValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	return 0
}
