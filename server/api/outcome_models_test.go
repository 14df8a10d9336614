package api_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/ingest/simulator"
	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/server/api"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// refModels is the reference's learner as the API's source: what the
// product's learner (processor/learn) must agree with.
type refModels struct{ d *reference.Dataset }

func (r refModels) Models(tenant, model string) (views.OutcomeModels, bool) {
	m, err := r.d.OutcomeModels(tenant, model)
	return m, err == nil
}

// outcomeEnv is the API over a small simulated center without predictions
// in the feed, its outcome models answered by the reference learner.
func outcomeEnv(t *testing.T, src api.OutcomeModelSource) (*env, *reference.Dataset) {
	t.Helper()
	cfg := simulator.DefaultConfig(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	cfg.Agents, cfg.Days, cfg.Tenants, cfg.Seed, cfg.TeamSize = 12, 10, 1, 5, 4
	cfg.NoPredictions = true
	g, err := simulator.New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	var its []schemas.Interaction
	var outs []schemas.Outcome
	if _, err := g.Run(context.Background(), func(b simulator.Batch) error {
		its, outs = append(its, b.Records...), append(outs, b.Outcomes...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	ref := reference.NewWithOutcomes(its, outs, params, outcomes.Config{})
	if src == nil {
		src = refModels{ref}
	}
	a := api.New(api.Config{Views: storeview.New(embedded.New(), params), Verifier: auth.Verifier{Secret: secret}, OutcomeModels: src})
	r := chi.NewRouter()
	a.Routes(r)
	return &env{its: its, ref: ref, handler: r, tenant: simulator.TenantIDs(1)[0]}, ref
}

func TestOutcomeModels(t *testing.T) {
	e, ref := outcomeEnv(t, nil)
	admin := token(t, auth.Claims{Tenant: e.tenant, Subject: "boss", Role: auth.RoleAdmin})
	code, body := e.get(admin, "/v1/outcome-models?model=voice")
	if code != 200 {
		t.Fatalf("admin: %d %s", code, body)
	}
	want, err := ref.OutcomeModels(e.tenant, "voice")
	if err != nil {
		t.Fatal(err)
	}
	wb, _ := json.Marshal(want)
	if d, ok := jsonDiff(body, wb); !ok {
		t.Fatalf("answer differs from the reference at %s:\n%s\nwant %s", d, body, wb)
	}
	var got views.OutcomeModels
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Targets) != 2 || got.Targets[0].Target != "satisfaction" || got.Targets[1].Target != "resolution" {
		t.Fatalf("targets = %+v", got.Targets)
	}
	if got.Targets[0].Labels == 0 || got.Targets[1].Labels == 0 {
		t.Fatalf("no labels learnt from 10 simulated days: %+v", got.Targets)
	}
	// The answers validate against openapi.yaml.
	s := loadSpec(t)
	for _, c := range []exchange{
		{name: "spec 200", method: "GET", path: "/v1/outcome-models", target: "/v1/outcome-models?model=voice", tok: admin, want: 200},
		{name: "spec 400", method: "GET", path: "/v1/outcome-models", target: "/v1/outcome-models?model=", tok: admin, want: 400},
		{name: "spec 404", method: "GET", path: "/v1/outcome-models", target: "/v1/outcome-models?model=fax", tok: admin, want: 404},
	} {
		t.Run(c.name, func(t *testing.T) { check(t, s, e.handler, c) })
	}
	for _, c := range []struct {
		name, tok, target string
		code              int
		field             string
	}{
		{"no token", "", "/v1/outcome-models?model=voice", 401, "Authorization"},
		{"supervisor", token(t, auth.Claims{Tenant: e.tenant, Subject: "s", Role: auth.RoleSupervisor, Teams: []string{"t"}}), "/v1/outcome-models?model=voice", 403, "role"},
		{"agent", token(t, auth.Claims{Tenant: e.tenant, Subject: "a", Role: auth.RoleAgent}), "/v1/outcome-models?model=voice", 403, "role"},
		{"missing model", admin, "/v1/outcome-models", 400, "model"},
		{"bad model", admin, "/v1/outcome-models?model=Voice!", 400, "model"},
		{"unknown model", admin, "/v1/outcome-models?model=fax", 404, "model"},
		{"other tenant", token(t, auth.Claims{Tenant: "nobody", Subject: "x", Role: auth.RoleAdmin}), "/v1/outcome-models?model=voice", 404, "model"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, body := e.get(c.tok, c.target)
			var eb errBody
			_ = json.Unmarshal(body, &eb)
			if code != c.code || eb.Field != c.field {
				t.Fatalf("%d %s, want %d naming %q", code, body, c.code, c.field)
			}
		})
	}
}

// TestOutcomeModelsWithoutLearner: a server without a learner says so
// with 503 (after the role and the parameter are checked).
func TestOutcomeModelsWithoutLearner(t *testing.T) {
	a := api.New(api.Config{Views: storeview.New(embedded.New(), params), Verifier: auth.Verifier{Secret: secret}})
	r := chi.NewRouter()
	a.Routes(r)
	e := &env{handler: r}
	admin := token(t, auth.Claims{Tenant: "acme", Subject: "boss", Role: auth.RoleAdmin})
	if code, body := e.get(admin, "/v1/outcome-models?model=voice"); code != 503 {
		t.Fatalf("%d %s, want 503", code, body)
	}
	if code, body := e.get(admin, "/v1/outcome-models"); code != 400 {
		t.Fatalf("%d %s, want 400", code, body)
	}
}
