package api_test

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/agentpulse/agentpulse/auth"
)

// FuzzReadRoutes sends an arbitrary path segment and query string to every
// read route (FuzzParseQuery covers the parser alone, FuzzInteractionsQuery
// the review route's query): the answer is 200 with a JSON object, or a
// 400/403/404 naming one of the route's path or query parameters, never a
// 5xx or a panic. role picks the caller (admin, supervisor, agent).
func FuzzReadRoutes(f *testing.F) {
	f.Add(uint8(0), "a1", "model=voice&range=3m&sort=aes&order=asc", uint8(0))
	f.Add(uint8(1), "billing", "model=voice&range=1w", uint8(1))
	f.Add(uint8(2), "team-01", "model=voice&team=team-02", uint8(1))
	f.Add(uint8(3), "voice", "team=%ZZ&range=5y", uint8(0))
	f.Add(uint8(4), "", "", uint8(2))
	f.Add(uint8(5), "x", "model=voice&from=1900-01-01T00:00:00Z&to=2200-01-01T00:00:00Z", uint8(2))
	f.Add(uint8(3), "%ff", "range=%00", uint8(0))
	e := newEnv(f)
	agents := e.agents(e.tenant)
	agent := agents[0]
	toks := []string{
		token(f, auth.Claims{Tenant: e.tenant, Subject: "boss", Role: auth.RoleAdmin}),
		token(f, auth.Claims{Tenant: e.tenant, Subject: "lead", Role: auth.RoleSupervisor, Teams: []string{"team-01"}}),
		token(f, auth.Claims{Tenant: e.tenant, Subject: agent, Role: auth.RoleAgent}),
	}
	query := map[string]bool{"model": true, "range": true, "from": true, "to": true, "sort": true, "order": true, "team": true}
	f.Fuzz(func(t *testing.T, route uint8, seg, raw string, role uint8) {
		for _, c := range []byte(raw) {
			if c <= ' ' || c >= 0x7f || c == '#' {
				t.Skip("not a request-target")
			}
		}
		s := url.PathEscape(seg)
		var target, pathField string
		switch route % 6 {
		case 0:
			target, pathField = "/v1/agents/"+s+"/performance", "agent"
		case 1:
			target, pathField = "/v1/agents/"+agent+"/inquiries/"+s, "inquiry"
		case 2:
			target, pathField = "/v1/teams/"+s+"/agents", "team"
		case 3:
			target, pathField = "/v1/wallboards/"+s, "model"
		case 4:
			target = "/v1/models"
		case 5:
			target, pathField = "/v1/agents/"+s+"/models", "agent"
		}
		if seg == "" && pathField != "" {
			t.Skip("an empty segment is another route")
		}
		target += "?" + raw
		code, body := e.get(toks[int(role)%len(toks)], target)
		switch code {
		case 200:
			var v map[string]any
			if err := json.Unmarshal(body, &v); err != nil {
				t.Fatalf("GET %s = 200 %.300s: %v", target, body, err)
			}
		case 400, 403, 404:
			var eb errBody
			if err := json.Unmarshal(body, &eb); err != nil || eb.Error == "" {
				t.Fatalf("GET %s = %d %.300s: not an error body", target, code, body)
			}
			if code != 403 && eb.Field != pathField && !query[eb.Field] {
				t.Fatalf("GET %s = %d %.300s: field %q is not a parameter", target, code, body, eb.Field)
			}
		default:
			t.Fatalf("GET %s = %d %.300s", target, code, body)
		}
	})
}
