package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/ingest/simulator"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/processor/store/storetest"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/server/api"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
	"github.com/agentpulse/agentpulse/views/storeview"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

// env is an API over the embedded store filled with a simulated feed, and
// the reference over the same interactions.
type env struct {
	its     []schemas.Interaction
	ref     *reference.Dataset
	handler http.Handler
	tenant  string // the simulated tenant the tests read
}

var params = views.Params{MinVolume: 3}

func newEnv(t testing.TB) *env {
	t.Helper()
	cfg := simulator.DefaultConfig(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	cfg.Agents, cfg.Days, cfg.Tenants, cfg.Seed = 12, 6, 2, 11
	cfg.TeamSize = 4
	cfg.DuplicateRate, cfg.RevisionRate, cfg.LateRate = 0.05, 0.05, 0.05
	g, err := simulator.New(cfg, 2)
	if err != nil {
		t.Fatal(err)
	}
	its, err := g.All(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	st := embedded.New()
	storetest.Fill(t, st, its, 4, 500)
	a := api.New(api.Config{Views: storeview.New(st, params), Verifier: auth.Verifier{Secret: secret}})
	r := chi.NewRouter()
	a.Routes(r)
	return &env{its: its, ref: reference.New(its, params), handler: r, tenant: simulator.TenantIDs(1)[0]}
}

// agents returns the tenant's agents, sorted.
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

// token mints a token; an empty role means no token.
func token(t testing.TB, c auth.Claims) string {
	t.Helper()
	tok, err := auth.Mint(secret, c, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// get serves GET target with the bearer token tok ("" for none).
func (e *env) get(tok, target string) (int, []byte) {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, body
}

// errBody is the API's error shape.
type errBody struct {
	Error string `json:"error"`
	Field string `json:"field"`
}

// jsonDiff compares two JSON documents exactly, numbers included: the
// API's figures have the reference's bits (sums on the grid). It returns
// the first difference's path.
func jsonDiff(a, b []byte) (string, bool) { return views.ExactJSONDiff(a, b) }
