package api_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"testing"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/schemas"

	"github.com/agentpulse/agentpulse/views"
)

// TestInteractionsEqualReference compares the route's JSON with the
// reference's WorstInteractions (worst=true) and with the same set newest
// first (worst=false), for several inquiries, metrics, ranges and limits.
func TestInteractionsEqualReference(t *testing.T) {
	e := newEnv(t)
	f := newFixture(t, e)
	admin := f.tokens["admin"]
	nonEmpty := 0
	for _, model := range []string{"voice", "email"} {
		p, err := e.ref.AgentPerformance(e.tenant, f.agent, model, views.RangeSpec{}, views.SortSpec{})
		if err != nil {
			t.Fatal(err)
		}
		for i, ip := range p.Inquiries {
			for j, metric := range e.ref.ModelMetrics(e.tenant, model) {
				rng, spec := "", views.RangeSpec{}
				if (i+j)%2 == 1 {
					rng, spec = "&range=1w", views.RangeSpec{Preset: views.Preset1W}
				}
				limit := []int{3, 10, 100}[(i+j)%3]
				want, err := e.ref.WorstInteractions(e.tenant, f.agent, model, ip.Inquiry, metric, spec, limit)
				if err != nil {
					t.Fatal(err)
				}
				if len(want) > 1 {
					nonEmpty++
				}
				base := fmt.Sprintf("/v1/agents/%s/inquiries/%s/interactions?model=%s&metric=%s%s", f.agent, url.PathEscape(ip.Inquiry), model, metric, rng)
				target := fmt.Sprintf("%s&worst=true&limit=%d", base, limit)
				if limit == 10 {
					target = base + "&worst=true"
				}
				compare(t, e, admin, target, map[string]any{"interactions": want})
				all, err := e.ref.WorstInteractions(e.tenant, f.agent, model, ip.Inquiry, metric, spec, 1000)
				if err != nil {
					t.Fatal(err)
				}
				slices.SortFunc(all, func(a, b schemas.Interaction) int { return views.CompareNewestFirst(&a, &b) })
				compare(t, e, admin, fmt.Sprintf("%s&limit=%d", base, limit), map[string]any{"interactions": all[:min(limit, len(all))]})
			}
		}
	}
	if nonEmpty < 5 {
		t.Fatalf("only %d non-trivial lists compared", nonEmpty)
	}
}

// TestInteractionsAccess asks the route as every caller: the inquiry
// detail's access rules.
func TestInteractionsAccess(t *testing.T) {
	e := newEnv(t)
	f := newFixture(t, e)
	target := "/v1/agents/" + f.agent + "/inquiries/" + url.PathEscape(f.inquiry) + "/interactions?model=voice&metric=aht&worst=true"
	want := map[string]int{
		"agent self": 200, "agent other": 403, "supervisor own": 200, "supervisor other": 403,
		"admin": 200, "ingest": 403, "other tenant admin": 404, "no token": 401, "bad token": 401,
	}
	for caller, tok := range f.tokens {
		t.Run(caller, func(t *testing.T) {
			code, body := e.get(tok, target)
			if code != want[caller] {
				t.Fatalf("GET %s = %d %s, want %d", target, code, body, want[caller])
			}
			if code == 200 {
				return
			}
			var eb errBody
			if err := json.Unmarshal(body, &eb); err != nil || eb.Error == "" {
				t.Fatalf("refusal body %q is not {error, field}: %v", body, err)
			}
		})
	}
}

// TestInteractionsBadParameters checks each broken parameter is a 400
// naming it, unknown data a 404, and the answers validate against
// openapi.yaml.
func TestInteractionsBadParameters(t *testing.T) {
	s := loadSpec(t)
	e := newEnv(t)
	f := newFixture(t, e)
	path := "/v1/agents/{agent}/inquiries/{inquiry}/interactions"
	base := "/v1/agents/" + f.agent + "/inquiries/" + url.PathEscape(f.inquiry) + "/interactions"
	cases := []struct {
		target string
		code   int
		field  string
	}{
		{base + "?metric=aht", 400, "model"},
		{base + "?model=voice", 400, "metric"},
		{base + "?model=voice&metric=speed", 400, "metric"},
		{base + "?model=email&metric=psat", 400, "metric"},
		{base + "?model=email&metric=pres&worst=true", 400, "metric"},
		{base + "?model=voice&metric=aht&worst=yes", 400, "worst"},
		{base + "?model=voice&metric=aht&worst=1", 400, "worst"},
		{base + "?model=voice&metric=aht&limit=0", 400, "limit"},
		{base + "?model=voice&metric=aht&limit=101", 400, "limit"},
		{base + "?model=voice&metric=aht&limit=ten", 400, "limit"},
		{base + "?model=voice&metric=aht&range=2d", 400, "range"},
		{base + "?model=voice&metric=aht&from=2026-10-01T00:00:00Z", 400, "to"},
		{base + "?model=nosuchmodel&metric=aht", 404, "model"},
		{"/v1/agents/nobody/inquiries/x/interactions?model=voice&metric=aht", 404, "agent"},
		{"/v1/agents/-bad/inquiries/x/interactions?model=voice&metric=aht", 400, "agent"},
		{"/v1/agents/" + f.agent + "/inquiries/a%01b/interactions?model=voice&metric=aht", 400, "inquiry"},
		{"/v1/agents/" + f.agent + "/inquiries/nosuchinquiry/interactions?model=voice&metric=aht", 200, ""},
		{base + "?model=voice&metric=psat&worst=false&limit=1&range=24h", 200, ""},
		{base + "?model=email&metric=aes&worst=true&limit=100&from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z", 200, ""},
	}
	admin := f.tokens["admin"]
	for _, c := range cases {
		t.Run(c.target, func(t *testing.T) {
			check(t, s, e.handler, exchange{name: c.target, method: "GET", path: path, target: c.target, tok: admin, want: c.code})
			if c.code == 200 {
				return
			}
			_, body := e.get(admin, c.target)
			var eb errBody
			if err := json.Unmarshal(body, &eb); err != nil || eb.Field != c.field || eb.Error == "" {
				t.Errorf("GET %s body %s, want field %q", c.target, body, c.field)
			}
		})
	}
}

// FuzzInteractionsQuery sends arbitrary query strings to the route: the
// answer is 200 or a 400/404 naming one of the route's parameters, never
// a 5xx.
func FuzzInteractionsQuery(f *testing.F) {
	f.Add("model=voice&metric=aht&worst=true&limit=10")
	f.Add("model=email&metric=psat")
	f.Add("model=voice&metric=aes&limit=-1&worst=")
	f.Add("model=chat&metric=pres&range=1w&limit=100&worst=false")
	f.Add("metric=%ZZ&limit=99999999999999999999")
	e := newEnv(f)
	agent := e.agents(e.tenant)[0]
	tok := token(f, auth.Claims{Tenant: e.tenant, Subject: "boss", Role: auth.RoleAdmin})
	fields := map[string]bool{"model": true, "range": true, "from": true, "to": true, "metric": true, "worst": true, "limit": true}
	f.Fuzz(func(t *testing.T, raw string) {
		target := "/v1/agents/" + agent + "/inquiries/x/interactions?" + raw
		for _, c := range []byte(raw) {
			if c <= ' ' || c >= 0x7f || c == '#' {
				t.Skip("not a request-target")
			}
		}
		code, body := e.get(tok, target)
		switch code {
		case 200:
			var a struct {
				Interactions []json.RawMessage `json:"interactions"`
			}
			if err := json.Unmarshal(body, &a); err != nil || a.Interactions == nil || len(a.Interactions) > 100 {
				t.Fatalf("GET %s = 200 %s", target, body)
			}
		case 400, 404:
			var eb errBody
			if err := json.Unmarshal(body, &eb); err != nil || !fields[eb.Field] {
				t.Fatalf("GET %s = %d %s: not a parameter's refusal", target, code, body)
			}
		default:
			t.Fatalf("GET %s = %d %s", target, code, body)
		}
	})
}
