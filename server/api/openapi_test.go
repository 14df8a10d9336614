package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/ingest"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/processor/store/storetest"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/server/api"
	"github.com/agentpulse/agentpulse/server/live"
	"github.com/agentpulse/agentpulse/server/notify"
	"github.com/agentpulse/agentpulse/server/plans"
	"github.com/agentpulse/agentpulse/server/ws"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// This file keeps schemas/openapi.yaml true: every served route is in it,
// every path it does not mark planned or conditional is served, and real
// answers of the server validate against its response schemas.

// statusKey marks operations that are part of the contract but not served
// by the test's router: "planned" (not built yet) or "conditional"
// (served only when configured, such as the connector endpoints).
const statusKey = "x-agentpulse-status"

// anyMethod is the count of methods chi.Walk reports for a route mounted
// with Handle: every standard method plus QUERY.
const anyMethod = 9

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

var paramRE = regexp.MustCompile(`\{[^}/]+\}`)

// template normalises a route's parameter names: /a/{x}/b → /a/{}/b.
func template(p string) string { return paramRE.ReplaceAllString(p, "{}") }

// nullSink keeps nothing and acknowledges everything.
type nullSink struct{}

func (nullSink) Produce(context.Context, []schemas.Interaction) error { return nil }
func (nullSink) DeadLetter(context.Context, []ingest.Rejected) error  { return nil }
func (nullSink) ProduceOutcomes(context.Context, []schemas.Outcome) error {
	return nil
}

// planClock is the plan service's clock in these tests: inside the
// simulated feed (which ends 2026-11-01).
var planClock = time.Date(2026, 10, 30, 12, 0, 0, 0, time.UTC)

// newServer is the ingest server with the API and the plan service
// mounted over st: every route the server owns today (ingest, read API,
// plans, /healthz, /readyz, /metrics).
func newServer(t testing.TB, st *embedded.Store) http.Handler {
	t.Helper()
	v := auth.Verifier{Secret: secret}
	sv := storeview.New(st, params)
	a := api.New(api.Config{Views: sv, Verifier: v})
	ps, err := plans.New(plans.Config{Plans: st, Store: st, Views: sv, Verifier: v, Now: func() time.Time { return planClock }})
	if err != nil {
		t.Fatal(err)
	}
	rules, err := live.New(live.Config{Views: sv, API: a, Plan: live.PlansChannel(ps)})
	if err != nil {
		t.Fatal(err)
	}
	hub, err := ws.New(ws.Config{Verifier: v, Authorize: rules.Authorize, Snapshot: rules.Snapshot})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ingest.NewServer(ingest.ServerConfig{
		Mount:    []func(chi.Router){a.Routes, ps.Routes, hub.Routes, func(r chi.Router) { c, _ := notify.New(notify.Config{}); c.Routes(r, v) }},
		Gatherer: prometheus.NewRegistry(),
	}, nullSink{}, v, nil)
	if err != nil {
		t.Fatal(err)
	}
	return srv.Handler()
}

// TestOpenAPIRoutesMatchServer walks the router and checks it against the
// spec's paths in both directions.
func TestOpenAPIRoutesMatchServer(t *testing.T) {
	s := loadSpec(t)
	h := newServer(t, embedded.New())
	routes, ok := h.(chi.Routes)
	if !ok {
		t.Fatalf("server handler %T is not a chi router", h)
	}
	served := map[[2]string]bool{}
	methods := map[string]int{} // route → how many methods serve it
	if err := chi.Walk(routes, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		route = template(strings.TrimSuffix(route, "/"))
		served[[2]string{method, route}] = true
		methods[route]++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// A route mounted with Handle (every method, such as promhttp's
	// /metrics) is documented by the methods clients use: keep only those.
	for k := range served {
		if methods[k[1]] >= anyMethod {
			delete(served, k)
		}
	}
	for route, n := range methods {
		if n < anyMethod {
			continue
		}
		found := false
		for k := range s.operations(t) {
			if template(k[1]) == route {
				served[[2]string{k[0], route}], found = true, true
			}
		}
		if !found {
			t.Errorf("served route %s (every method) is not in openapi.yaml", route)
		}
	}
	if len(served) == 0 {
		t.Fatal("the router serves no routes")
	}
	inSpec := map[[2]string]string{} // normalised → spec path
	var unserved []string
	for k, op := range s.operations(t) {
		inSpec[[2]string{k[0], template(k[1])}] = k[1]
		status, _ := op[statusKey].(string)
		switch status {
		case "":
			if !served[[2]string{k[0], template(k[1])}] {
				unserved = append(unserved, k[0]+" "+k[1])
			}
		case "planned", "conditional":
			if served[[2]string{k[0], template(k[1])}] {
				t.Errorf("%s %s is served but marked %s: %s", k[0], k[1], statusKey, status)
			}
		default:
			t.Errorf("%s %s: unknown %s %q", k[0], k[1], statusKey, status)
		}
	}
	sort.Strings(unserved)
	for _, u := range unserved {
		t.Errorf("spec path %s is not served and not marked %s: planned", u, statusKey)
	}
	var extra []string
	for k := range served {
		if _, ok := inSpec[k]; !ok {
			extra = append(extra, k[0]+" "+k[1])
		}
	}
	sort.Strings(extra)
	for _, e := range extra {
		t.Errorf("served route %s is not in openapi.yaml", e)
	}
}

// TestOpenAPIDocumentIsSound checks every local $ref resolves, every
// component schema compiles and every operation documents its 401 unless
// it has no security.
func TestOpenAPIDocumentIsSound(t *testing.T) {
	s := loadSpec(t)
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok && strings.HasPrefix(ref, "#/") {
				if _, ok := s.pointer(ref[1:]); !ok {
					t.Errorf("%s: $ref %s does not resolve", path, ref)
				}
			}
			for k, w := range x {
				walk(path+"/"+escapePtr(k), w)
			}
		case []any:
			for i, w := range x {
				walk(fmt.Sprintf("%s/%d", path, i), w)
			}
		}
	}
	walk("", s.doc)
	comps, _ := s.pointer("/components/schemas")
	names := make([]string, 0)
	for name := range comps.(map[string]any) {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		s.schema(t, "/components/schemas/"+escapePtr(name))
	}
	for k, op := range s.operations(t) {
		if sec, ok := op["security"].([]any); ok && len(sec) == 0 {
			continue
		}
		if _, ok := s.pointer(fmt.Sprintf("/paths/%s/%s/responses/401", escapePtr(k[1]), strings.ToLower(k[0]))); !ok {
			t.Errorf("%s %s needs a token but documents no 401", k[0], k[1])
		}
	}
}

// exchange is one request to the server and the spec path it answers.
type exchange struct {
	name         string
	method, path string // spec operation
	target       string
	tok, ctype   string
	body         string
	want         int
}

// TestOpenAPIResponsesValidate sends real requests to the server over the
// simulated feed and validates every answer against the schema the spec
// gives its operation and status.
func TestOpenAPIResponsesValidate(t *testing.T) {
	s := loadSpec(t)
	e := newEnv(t)
	f := newFixture(t, e)
	h := e.handler
	admin := f.tokens["admin"]
	// The read API over the env's store, mounted in the full server.
	full := newServer(t, storeOf(t, e))

	agentP, inqP := "/v1/agents/{agent}", "/v1/agents/{agent}/inquiries/{inquiry}"
	models, perf, team := agentP+"/models", agentP+"/performance", "/v1/teams/{team}/agents"
	inq := url.PathEscape(f.inquiry)
	rec := e.its[0]
	rec.TenantID = e.tenant
	good, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	ingestTok := token(t, auth.Claims{Tenant: e.tenant, Subject: "feed", Role: auth.RoleIngest})
	cases := []exchange{
		{name: "models", method: "GET", path: models, target: "/v1/agents/" + f.agent + "/models", tok: admin, want: 200},
		{name: "models other tenant", method: "GET", path: models, target: "/v1/agents/" + f.agent + "/models", tok: f.tokens["other tenant admin"], want: 200},
		{name: "performance voice", method: "GET", path: perf, target: "/v1/agents/" + f.agent + "/performance?model=voice", tok: admin, want: 200},
		{name: "performance email sorted", method: "GET", path: perf, target: "/v1/agents/" + f.agent + "/performance?model=email&range=1m&sort=aht&order=asc", tok: f.tokens["agent self"], want: 200},
		{name: "inquiry voice", method: "GET", path: inqP, target: "/v1/agents/" + f.agent + "/inquiries/" + inq + "?model=voice", tok: admin, want: 200},
		{name: "team voice", method: "GET", path: team, target: "/v1/teams/" + f.team + "/agents?model=voice", tok: f.tokens["supervisor own"], want: 200},
		{name: "team email", method: "GET", path: team, target: "/v1/teams/" + f.team + "/agents?model=email&range=1w", tok: admin, want: 200},
		{name: "tenant models", method: "GET", path: "/v1/models", target: "/v1/models", tok: admin, want: 200},
		{name: "tenant models agent", method: "GET", path: "/v1/models", target: "/v1/models", tok: f.tokens["agent self"], want: 403},
		{name: "directory teams", method: "GET", path: "/v1/teams", target: "/v1/teams?limit=2", tok: admin, want: 200},
		{name: "directory teams supervisor", method: "GET", path: "/v1/teams", target: "/v1/teams?q=team", tok: f.tokens["supervisor own"], want: 200},
		{name: "directory teams bad q", method: "GET", path: "/v1/teams", target: "/v1/teams?q=%01", tok: admin, want: 400},
		{name: "directory agents", method: "GET", path: "/v1/agents", target: "/v1/agents?limit=3", tok: admin, want: 200},
		{name: "directory agents of a team", method: "GET", path: "/v1/agents", target: "/v1/agents?team=" + f.team, tok: f.tokens["supervisor own"], want: 200},
		{name: "directory agents other team", method: "GET", path: "/v1/agents", target: "/v1/agents?team=" + f.otherTeam, tok: f.tokens["supervisor own"], want: 403},
		{name: "directory agents bad limit", method: "GET", path: "/v1/agents", target: "/v1/agents?limit=0", tok: admin, want: 400},
		{name: "directory agents agent", method: "GET", path: "/v1/agents", target: "/v1/agents", tok: f.tokens["agent self"], want: 403},
		{name: "inquiries", method: "GET", path: "/v1/inquiries", target: "/v1/inquiries", tok: admin, want: 200},
		{name: "inquiries of a model", method: "GET", path: "/v1/inquiries", target: "/v1/inquiries?model=voice", tok: admin, want: 200},
		{name: "inquiries bad model", method: "GET", path: "/v1/inquiries", target: "/v1/inquiries?model=Voice", tok: admin, want: 400},
		{name: "inquiries unknown model", method: "GET", path: "/v1/inquiries", target: "/v1/inquiries?model=fax", tok: admin, want: 404},
		{name: "wallboard admin", method: "GET", path: "/v1/wallboards/{model}", target: "/v1/wallboards/voice", tok: admin, want: 200},
		{name: "wallboard supervisor team", method: "GET", path: "/v1/wallboards/{model}", target: "/v1/wallboards/email?range=1w&team=" + f.team, tok: f.tokens["supervisor own"], want: 200},
		{name: "wallboard teams only", method: "GET", path: "/v1/wallboards/{model}", target: "/v1/wallboards/voice?agents=false", tok: admin, want: 200},
		{name: "wallboard page", method: "GET", path: "/v1/wallboards/{model}", target: "/v1/wallboards/voice?limit=1", tok: admin, want: 200},
		{name: "wallboard bad limit", method: "GET", path: "/v1/wallboards/{model}", target: "/v1/wallboards/voice?limit=0", tok: admin, want: 400},
		{name: "wallboard bad range", method: "GET", path: "/v1/wallboards/{model}", target: "/v1/wallboards/voice?range=2y", tok: admin, want: 400},
		{name: "wallboard unknown model", method: "GET", path: "/v1/wallboards/{model}", target: "/v1/wallboards/fax", tok: admin, want: 404},
		{name: "no token", method: "GET", path: perf, target: "/v1/agents/" + f.agent + "/performance?model=voice", want: 401},
		{name: "bad token", method: "GET", path: models, target: "/v1/agents/" + f.agent + "/models", tok: f.tokens["bad token"], want: 401},
		{name: "other agent", method: "GET", path: perf, target: "/v1/agents/" + f.other + "/performance?model=voice", tok: f.tokens["agent self"], want: 403},
		{name: "ingest role", method: "GET", path: team, target: "/v1/teams/" + f.team + "/agents?model=voice", tok: f.tokens["ingest"], want: 403},
		{name: "no model", method: "GET", path: perf, target: "/v1/agents/" + f.agent + "/performance", tok: admin, want: 400},
		{name: "bad range", method: "GET", path: inqP, target: "/v1/agents/" + f.agent + "/inquiries/" + inq + "?model=voice&range=2y", tok: admin, want: 400},
		{name: "unknown model", method: "GET", path: perf, target: "/v1/agents/" + f.agent + "/performance?model=fax", tok: admin, want: 404},
		{name: "unknown inquiry", method: "GET", path: inqP, target: "/v1/agents/" + f.agent + "/inquiries/no-such-inquiry?model=voice", tok: admin, want: 404},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { check(t, s, h, c) })
	}
	ing := "/v1/ingest/interactions"
	fullCases := []exchange{
		{name: "ingest array", method: "POST", path: ing, target: ing, tok: ingestTok, ctype: "application/json",
			body: "[" + string(good) + `, {"tenant_id": "x"}]`, want: 200},
		{name: "ingest ndjson", method: "POST", path: ing, target: ing, tok: ingestTok, ctype: "application/x-ndjson",
			body: string(good) + "\nnot json\n", want: 200},
		{name: "ingest not json", method: "POST", path: ing, target: ing, tok: ingestTok, ctype: "application/json", body: "hello", want: 400},
		{name: "ingest no token", method: "POST", path: ing, target: ing, ctype: "application/json", body: "[]", want: 401},
		{name: "ingest agent role", method: "POST", path: ing, target: ing, tok: f.tokens["agent self"], ctype: "application/json", body: "[]", want: 403},
		{name: "full server models", method: "GET", path: models, target: "/v1/agents/" + f.agent + "/models", tok: admin, want: 200},
		{name: "trend", method: "GET", path: "/v1/agents/{agent}/trend", target: "/v1/agents/" + f.agent + "/trend?model=voice&step=day&range=1w", tok: f.tokens["agent self"], want: 200},
		{name: "trend inquiry", method: "GET", path: "/v1/agents/{agent}/trend", target: "/v1/agents/" + f.agent + "/trend?model=voice&inquiry=" + f.inquiry, tok: admin, want: 200},
		{name: "trend bad step", method: "GET", path: "/v1/agents/{agent}/trend", target: "/v1/agents/" + f.agent + "/trend?model=voice&step=month", tok: admin, want: 400},
		{name: "trend too long", method: "GET", path: "/v1/agents/{agent}/trend", target: "/v1/agents/" + f.agent + "/trend?model=voice&step=day&from=2000-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", tok: admin, want: 400},
		{name: "trend other agent", method: "GET", path: "/v1/agents/{agent}/trend", target: "/v1/agents/" + f.other + "/trend?model=voice", tok: f.tokens["agent self"], want: 403},
		{name: "standing", method: "GET", path: "/v1/agents/{agent}/standing", target: "/v1/agents/" + f.agent + "/standing?model=voice", tok: f.tokens["agent self"], want: 200},
		{name: "team trend", method: "GET", path: "/v1/teams/{team}/trend", target: "/v1/teams/" + f.team + "/trend?model=voice", tok: admin, want: 200},
		{name: "healthz", method: "GET", path: "/healthz", target: "/healthz", want: 200},
		{name: "ws no token", method: "GET", path: "/v1/ws", target: "/v1/ws", want: 401},
		{name: "ws ingest role", method: "GET", path: "/v1/ws", target: "/v1/ws", tok: ingestTok, want: 403},
		{name: "ws not an upgrade", method: "GET", path: "/v1/ws", target: "/v1/ws?access_token=" + admin, want: 400},
		{name: "readyz", method: "GET", path: "/readyz", target: "/readyz", want: 200},
	}
	for _, c := range fullCases {
		t.Run(c.name, func(t *testing.T) { check(t, s, full, c) })
	}
	// Coaching plans: create one, then every plan route.
	self := f.tokens["agent self"]
	plansP, planP := agentP+"/plans", "/v1/plans/{id}"
	metric := "aht"
	input := func(pct float64, date string) string {
		b, _ := json.Marshal(map[string]any{"model": "voice", "inquiry": f.inquiry, "metric": metric, "improvement_pct": pct,
			"target_date": date, "actions": []string{"Use the checklist"}, "assistance": []string{"Side-by-side coaching"}})
		return string(b)
	}
	req := httptest.NewRequest("POST", "/v1/agents/"+f.agent+"/plans", strings.NewReader(input(10, "2026-11-05")))
	req.Header.Set("Authorization", "Bearer "+self)
	w := httptest.NewRecorder()
	full.ServeHTTP(w, req)
	var created struct{ ID string }
	if err := json.Unmarshal(w.Body.Bytes(), &created); err != nil || w.Code != 201 {
		t.Fatalf("create plan = %d: %s", w.Code, w.Body)
	}
	id := created.ID
	cat := "/v1/assistance-catalog"
	planCases := []exchange{
		{name: "create plan duplicate", method: "POST", path: plansP, target: "/v1/agents/" + f.agent + "/plans", tok: self, body: input(20, "2027-03-01"), want: 409},
		{name: "create plan", method: "POST", path: plansP, target: "/v1/agents/" + f.agent + "/plans", tok: self, body: func() string { metric = "aes"; defer func() { metric = "aht" }(); return input(20, "2027-03-01") }(), want: 201},
		{name: "create plan refused", method: "POST", path: plansP, target: "/v1/agents/" + f.agent + "/plans", tok: self, body: input(60, "2020-01-01"), want: 400},
		{name: "create plan too big", method: "POST", path: plansP, target: "/v1/agents/" + f.agent + "/plans", tok: self, body: input(10, strings.Repeat("x", 70<<10)), want: 413},
		{name: "create plan other agent", method: "POST", path: plansP, target: "/v1/agents/" + f.other + "/plans", tok: self, body: input(10, "2026-12-01"), want: 403},
		{name: "list plans", method: "GET", path: plansP, target: "/v1/agents/" + f.agent + "/plans", tok: f.tokens["supervisor own"], want: 200},
		{name: "list plans in progress", method: "GET", path: plansP, target: "/v1/agents/" + f.agent + "/plans?status=in_progress", tok: self, want: 200},
		{name: "list plans bad status", method: "GET", path: plansP, target: "/v1/agents/" + f.agent + "/plans?status=done", tok: self, want: 400},
		{name: "get plan", method: "GET", path: planP, target: "/v1/plans/" + id, tok: self, want: 200},
		{name: "get plan hidden", method: "GET", path: planP, target: "/v1/plans/" + id, tok: f.tokens["agent other"], want: 404},
		{name: "tick action", method: "PATCH", path: planP + "/actions/{index}", target: "/v1/plans/" + id + "/actions/0", tok: self, body: `{"done": true}`, want: 200},
		{name: "tick bad body", method: "PATCH", path: planP + "/actions/{index}", target: "/v1/plans/" + id + "/actions/0", tok: self, body: `{"done": 1}`, want: 400},
		{name: "tick no such action", method: "PATCH", path: planP + "/actions/{index}", target: "/v1/plans/" + id + "/actions/7", tok: self, body: `{"done": true}`, want: 404},
		{name: "inbox", method: "GET", path: "/v1/inbox", target: "/v1/inbox", tok: f.tokens["supervisor own"], want: 200},
		{name: "inbox as ingest", method: "GET", path: "/v1/inbox", target: "/v1/inbox", tok: ingestTok, want: 403},
		{name: "at-risk plans", method: "GET", path: "/v1/at-risk-plans", target: "/v1/at-risk-plans", tok: admin, want: 200},
		{name: "acknowledge", method: "POST", path: planP + "/acknowledge", target: "/v1/plans/" + id + "/acknowledge", tok: f.tokens["supervisor own"], want: 200},
		{name: "acknowledge as agent", method: "POST", path: planP + "/acknowledge", target: "/v1/plans/" + id + "/acknowledge", tok: self, want: 403},
		{name: "comment", method: "POST", path: planP + "/comments", target: "/v1/plans/" + id + "/comments", tok: self, body: `{"text": "Thanks, Tuesday works"}`, want: 201},
		{name: "comment empty", method: "POST", path: planP + "/comments", target: "/v1/plans/" + id + "/comments", tok: self, body: `{"text": "  "}`, want: 400},
		{name: "inbox after", method: "GET", path: "/v1/inbox", target: "/v1/inbox", tok: admin, want: 200},
		{name: "notifications", method: "GET", path: "/v1/notifications", target: "/v1/notifications", tok: self, want: 200},
		{name: "read unknown notification", method: "POST", path: "/v1/notifications/{id}/read", target: "/v1/notifications/nope/read", tok: self, want: 404},
		{name: "mark all read", method: "POST", path: "/v1/notifications/read-all", target: "/v1/notifications/read-all", tok: self, want: 200},
		{name: "notification prefs", method: "GET", path: "/v1/notification-preferences", target: "/v1/notification-preferences", tok: self, want: 200},
		{name: "set notification prefs", method: "PUT", path: "/v1/notification-preferences", target: "/v1/notification-preferences", tok: self, body: `{"email": "a@example.com", "webhook": "", "kinds": ["help_asked"]}`, want: 200},
		{name: "set notification prefs refused", method: "PUT", path: "/v1/notification-preferences", target: "/v1/notification-preferences", tok: self, body: `{"email": "nope"}`, want: 400},
		{name: "cancel plan", method: "POST", path: planP + "/cancel", target: "/v1/plans/" + id + "/cancel", tok: self, want: 200},
		{name: "cancel again", method: "POST", path: planP + "/cancel", target: "/v1/plans/" + id + "/cancel", tok: self, want: 409},
		{name: "tick cancelled", method: "PATCH", path: planP + "/actions/{index}", target: "/v1/plans/" + id + "/actions/0", tok: self, body: `{"done": false}`, want: 409},
		{name: "plans as ingest", method: "GET", path: planP, target: "/v1/plans/" + id, tok: ingestTok, want: 403},
		{name: "plans no token", method: "GET", path: planP, target: "/v1/plans/" + id, want: 401},
		{name: "catalog", method: "GET", path: cat, target: cat, tok: self, want: 200},
		{name: "put catalog", method: "PUT", path: cat, target: cat, tok: admin, body: `{"items": ["Coaching", "Shadowing"]}`, want: 200},
		{name: "put catalog refused", method: "PUT", path: cat, target: cat, tok: admin, body: `{"items": ["a", "a"]}`, want: 400},
		{name: "put catalog as agent", method: "PUT", path: cat, target: cat, tok: self, body: `{"items": []}`, want: 403},
	}
	for _, c := range planCases {
		t.Run(c.name, func(t *testing.T) { check(t, s, full, c) })
	}
}

// storeOf rebuilds the env's store: newEnv keeps only the handler, so the
// full server gets its own store filled the same way.
func storeOf(t testing.TB, e *env) *embedded.Store {
	t.Helper()
	st := embedded.New()
	storetest.Fill(t, st, e.its, 4, 500)
	return st
}

// check serves c and validates the answer against the spec.
func check(t *testing.T, s *spec, h http.Handler, c exchange) {
	t.Helper()
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req := httptest.NewRequest(c.method, c.target, body)
	if c.tok != "" {
		req.Header.Set("Authorization", "Bearer "+c.tok)
	}
	if c.ctype != "" {
		req.Header.Set("Content-Type", c.ctype)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	got, _ := io.ReadAll(w.Result().Body)
	if w.Code != c.want {
		t.Fatalf("%s %s = %d, want %d: %s", c.method, c.target, w.Code, c.want, got)
	}
	ptr, ok := s.responseSchema(t, c.method, c.path, w.Code)
	if !ok {
		t.Fatalf("openapi.yaml: %s %s does not document status %d", c.method, c.path, w.Code)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(got))
	if err != nil {
		t.Fatalf("answer is not JSON: %v: %s", err, got)
	}
	if err := s.schema(t, ptr).Validate(v); err != nil {
		t.Errorf("answer of %s %s does not match %s:\n%v\nbody: %.2000s", c.method, c.target, ptr, err, got)
	}
}
