package plans_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/ingest/simulator"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse/chtest"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/processor/store/storetest"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/server/plans"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
	"github.com/agentpulse/agentpulse/views/storeview"
)

var (
	secret = []byte("0123456789abcdef0123456789abcdef")
	params = views.Params{MinVolume: 3}
	// simEnd is the end of the simulated history (2026-11-01 .. 11-07).
	simEnd = time.Date(2026, 11, 7, 0, 0, 0, 0, time.UTC)
)

// simulated is a small simulated feed with duplicates, revisions and late
// arrivals, in stream order, of two tenants.
func simulated(t testing.TB) []schemas.Interaction {
	t.Helper()
	cfg := simulator.DefaultConfig(simEnd)
	cfg.Agents, cfg.Days, cfg.Tenants, cfg.Seed = 12, 6, 2, 5
	cfg.TeamSize = 4
	cfg.DuplicateRate, cfg.RevisionRate, cfg.LateRate = 0.05, 0.05, 0.05
	g, err := simulator.New(cfg, 2)
	if err != nil {
		t.Fatal(err)
	}
	out, err := g.All(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// clock is a settable clock.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock { c := &clock{}; c.set(t); return c }
func (c *clock) set(t time.Time)  { c.ns.Store(t.UnixNano()) }
func (c *clock) now() time.Time   { return time.Unix(0, c.ns.Load()).UTC() }

// recorder is a Publisher that keeps what it is given.
type recorder struct {
	mu   sync.Mutex
	msgs []published
}

type published struct {
	tenant, channel, typ string
	plan                 views.Plan
}

func (r *recorder) Publish(tenant, channel, typ string, data any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, published{tenant, channel, typ, data.(views.Plan)})
}

func (r *recorder) last(channel string) (views.Plan, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	var p views.Plan
	for _, m := range r.msgs {
		if m.channel == channel {
			p, n = m.plan, n+1
		}
	}
	return p, n
}

// env is a plan service over a store filled with the simulated feed.
type env struct {
	its     []schemas.Interaction
	ref     *reference.Dataset
	st      store.Store
	ps      store.PlanStore
	svc     *plans.Service
	handler http.Handler
	clock   *clock
	pub     *recorder
	events  *events
	tenant  string
}

// events records what the service tells Config.Events.
type events struct {
	mu  sync.Mutex
	got []plans.Event
}

func (ev *events) add(_ context.Context, e plans.Event) {
	ev.mu.Lock()
	ev.got = append(ev.got, e)
	ev.mu.Unlock()
}

// kinds returns the kinds told about plan id, in order.
func (ev *events) kinds(id string) []string {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	var out []string
	for _, e := range ev.got {
		if e.Plan.ID == id {
			out = append(out, e.Kind)
		}
	}
	return out
}

// stores opens each store under test: embedded always, ClickHouse when a
// server can be had.
var storeKinds = []string{"embedded", "clickhouse"}

func openStore(t testing.TB, kind string) (store.Store, store.PlanStore) {
	t.Helper()
	if kind == "embedded" {
		st := embedded.New()
		return st, st
	}
	st := openClickHouse(t, fmt.Sprintf("plans_%d_%d", os.Getpid(), time.Now().UnixNano()))
	return st, st
}

// One throwaway ClickHouse server serves the whole test binary, started
// on first use and stopped by TestMain.
var ch struct {
	once sync.Once
	srv  *chtest.Server
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if ch.srv != nil {
		_ = ch.srv.Close()
		_ = os.RemoveAll(ch.dir)
	}
	os.Exit(code)
}

func clickhouseAddr(t testing.TB) string {
	t.Helper()
	if addr := os.Getenv("AGENTPULSE_TEST_CLICKHOUSE_ADDR"); addr != "" {
		return addr
	}
	ch.once.Do(func() {
		if ch.dir, ch.err = os.MkdirTemp("", "agentpulse-plans-ch-"); ch.err == nil {
			ch.srv, ch.err = chtest.StartServer(ch.dir)
		}
	})
	if ch.err != nil {
		if errors.Is(ch.err, chtest.ErrNoBinary) && !chtest.Required() {
			t.Skipf("skipping: %v", ch.err)
		}
		t.Fatalf("start clickhouse: %v", ch.err)
	}
	return ch.srv.Addr
}

func openClickHouse(t testing.TB, db string) *clickhouse.Store {
	t.Helper()
	addr := clickhouseAddr(t)
	st, err := clickhouse.Open(context.Background(), clickhouse.Config{
		Addr: []string{addr}, Database: db,
		RetryBackoff: 10 * time.Millisecond, MaxRetryBackoff: 100 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func fill(t testing.TB, st store.Writer, its []schemas.Interaction) {
	t.Helper()
	storetest.Fill(t, st, its, 4, 500)
}

func newEnv(t testing.TB, kind string, its []schemas.Interaction, at time.Time) *env {
	t.Helper()
	st, ps := openStore(t, kind)
	fill(t, st, its)
	return newEnvOn(t, st, ps, its, at)
}

func newEnvOn(t testing.TB, st store.Store, ps store.PlanStore, its []schemas.Interaction, at time.Time) *env {
	t.Helper()
	e := &env{its: its, ref: reference.New(its, params), st: st, ps: ps, clock: newClock(at), pub: &recorder{}, events: &events{}, tenant: simulator.TenantIDs(1)[0]}
	svc, err := plans.New(plans.Config{
		Plans: ps, Store: st, Views: storeview.New(st, params), Verifier: auth.Verifier{Secret: secret},
		Publisher: e.pub, Now: e.clock.now, UpdateWait: 2 * time.Second, Events: e.events.add,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.svc = svc
	r := chi.NewRouter()
	svc.Routes(r)
	e.handler = r
	return e
}

// agents returns the tenant's agents with their current team, sorted.
func (e *env) agents(tenant string) []string {
	var out []string
	for _, it := range e.its {
		if it.TenantID == tenant && !slices.Contains(out, it.AgentID) {
			out = append(out, it.AgentID)
		}
	}
	sort.Strings(out)
	return out
}

// teamOf is the agent's current team per the reference.
func (e *env) teamOf(tenant, agent string) string {
	team, _ := e.ref.TeamOf(tenant, agent)
	return team
}

func token(t testing.TB, c auth.Claims) string {
	t.Helper()
	tok, err := auth.Mint(secret, c, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// do serves one request with token tok ("" for none).
func (e *env) do(tok, method, target, body string) (int, []byte) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, b
}

func decode[T any](t testing.TB, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %T: %v: %s", v, err, b)
	}
	return v
}

// samePlan compares two plans exactly, numbers included (figures have
// the reference's bits: sums on the grid), except who created or cancelled them (the reference computes
// figures; TestPlanRecordsActors checks the actors). It returns the first
// difference.
func samePlan(got, want views.Plan) (string, bool) {
	got.CreatedBy, got.CancelledBy, want.CreatedBy, want.CancelledBy = nil, nil, nil, nil
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(want)
	return views.ExactJSONDiff(a, b)
}

func (e *env) planStore() interface {
	Plan(ctx context.Context, tenant, id string) (store.PlanRecord, error)
} {
	return e.st.(store.PlanStore)
}

func mustDate(t testing.TB, s string) time.Time {
	t.Helper()
	d, err := views.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func plansDefaultCatalog() []string { return plans.DefaultCatalog }
