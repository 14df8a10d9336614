package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/processor/store/storetest"
	"github.com/agentpulse/agentpulse/server/api"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// heldStore holds the cache's build scan (SumBuckets) until release closes.
type heldStore struct {
	*embedded.Store
	release chan struct{}
}

func (h heldStore) SumBuckets(ctx context.Context, q store.SumQuery, fn func(store.CellSums) error) error {
	select {
	case <-h.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	return h.Store.SumBuckets(ctx, q, fn)
}

// TestWarmingAnswers503: a figure whose cache entry is still building
// after BuildWait is answered 503 with Retry-After and the error shape;
// once the build ends, 200.
func TestWarmingAnswers503(t *testing.T) {
	e := newEnv(t)
	st := embedded.New()
	storetest.Fill(t, st, e.its, 4, 500)
	h := heldStore{Store: st, release: make(chan struct{})}
	sv := storeview.New(h, params, storeview.WithCache(storeview.CacheConfig{BuildWait: 10 * time.Millisecond}))
	a := api.New(api.Config{Views: sv, Verifier: auth.Verifier{Secret: secret}})
	r := chi.NewRouter()
	a.Routes(r)
	agent := e.agents(e.tenant)[0]
	get := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/v1/agents/"+agent+"/performance?model=voice", nil)
		req.Header.Set("Authorization", "Bearer "+token(t, auth.Claims{Tenant: e.tenant, Subject: "boss", Role: auth.RoleAdmin}))
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		return rec
	}
	rec := get()
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("while building: %d, Retry-After %q, %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	var body struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error == "" {
		t.Fatalf("error body %s: %v", rec.Body, err)
	}
	close(h.release)
	deadline := time.Now().Add(10 * time.Second)
	for {
		rec = get()
		if rec.Code == http.StatusOK {
			break
		}
		if rec.Code != http.StatusServiceUnavailable || time.Now().After(deadline) {
			t.Fatalf("after the build: %d %s", rec.Code, rec.Body)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
