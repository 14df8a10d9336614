package catchup_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/ingest/broker"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/server/catchup"
)

// rig is a broker with a 2-partition interactions topic and an embedded
// store whose checkpoints the test moves.
type rig struct {
	addr string
	st   *embedded.Store
	cl   *kgo.Client
}

func newRig(t *testing.T) *rig {
	t.Helper()
	b, err := broker.StartEmbedded(broker.EmbeddedConfig{Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	if err := broker.EnsureTopics(context.Background(), []string{b.Addr()}, broker.Topics{InteractionsPartitions: 2}); err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addr()), kgo.DefaultProduceTopic("interactions"), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return &rig{addr: b.Addr(), st: embedded.New(), cl: cl}
}

// produce appends n records to partition p.
func (r *rig) produce(t *testing.T, p int32, n int) {
	t.Helper()
	recs := make([]*kgo.Record, n)
	for i := range recs {
		recs[i] = &kgo.Record{Partition: p, Value: []byte("x")}
	}
	if err := r.cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

// store moves partition p's checkpoint to next.
func (r *rig) store(t *testing.T, p int32, next int64) {
	t.Helper()
	if err := r.st.Apply(context.Background(), store.Batch{Partition: p, Next: next}); err != nil {
		t.Fatal(err)
	}
}

func TestGateClosedWhileBehindOpensAfterRefresh(t *testing.T) {
	r := newRig(t)
	var refreshes atomic.Int32
	g, err := catchup.New(catchup.Config{Brokers: []string{r.addr}, Store: r.st, MaxLag: 100, Refresh: func() { refreshes.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	h := g.Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("figures")) }))
	get := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/models", nil))
		return rec
	}
	// Before the first comparison: closed.
	if err := g.Err(); !errors.Is(err, catchup.ErrCatchingUp) {
		t.Fatalf("before the first poll: %v", err)
	}
	if rec := get(); rec.Code != 503 || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("before the first poll: %d %q", rec.Code, rec.Header().Get("Retry-After"))
	}

	// Partition 0 far behind: closed, 503 with the catching-up body.
	r.produce(t, 0, 500)
	r.produce(t, 1, 10)
	r.store(t, 0, 50)
	if err := g.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	rec := get()
	var body struct {
		Error      string `json:"error"`
		CatchingUp bool   `json:"catching_up"`
		Behind     int64  `json:"behind_records"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != 503 || !body.CatchingUp || body.Behind != 450+10 {
		t.Fatalf("behind: %d %s (%v)", rec.Code, rec.Body, err)
	}
	if refreshes.Load() != 0 {
		t.Fatal("refreshed while behind")
	}

	// Within MaxLag but short of the end seen while behind: still closed.
	r.store(t, 0, 450)
	if err := g.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if g.Err() == nil {
		t.Fatal("open before the store reached the end seen while behind")
	}
	// Reached (partition 1 too: the first comparison saw it 10 behind,
	// records whose updates may predate this server's feed): Refresh
	// first, then open.
	r.store(t, 0, 500)
	if err := g.Poll(ctx); err != nil || g.Err() == nil {
		t.Fatalf("partition 1 short of the end seen at the first comparison: %v %v", err, g.Err())
	}
	r.store(t, 1, 10)
	if err := g.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if g.Err() != nil || refreshes.Load() != 1 {
		t.Fatalf("caught up: err %v, refreshes %d", g.Err(), refreshes.Load())
	}
	if rec := get(); rec.Code != 200 {
		t.Fatalf("caught up: %d", rec.Code)
	}
	// Near the log end nothing changes: a store a little behind stays open.
	r.produce(t, 1, 50)
	if err := g.Poll(ctx); err != nil || g.Err() != nil || refreshes.Load() != 1 {
		t.Fatalf("near the end: %v %v %d", err, g.Err(), refreshes.Load())
	}

	// Behind again; the processor's rebuilt marker clears it at once.
	r.produce(t, 1, 300)
	if err := g.Poll(ctx); err != nil || g.Err() == nil {
		t.Fatalf("behind again: %v %v", err, g.Err())
	}
	g.OnRebuilt(ctx, schemas.Rebuilt(1, 100)) // short of the end: no
	if g.Err() == nil {
		t.Fatal("opened by a marker short of the end")
	}
	g.OnRebuilt(ctx, schemas.Rebuilt(1, 359))
	if g.Err() != nil || refreshes.Load() != 2 {
		t.Fatalf("after the marker: %v, refreshes %d", g.Err(), refreshes.Load())
	}
	// A marker while open refreshes once more and stays open.
	g.OnRebuilt(ctx, schemas.Rebuilt(0, 499))
	if g.Err() != nil || refreshes.Load() != 3 {
		t.Fatalf("marker while open: %v, refreshes %d", g.Err(), refreshes.Load())
	}
}
