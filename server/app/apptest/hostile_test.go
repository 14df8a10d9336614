package apptest_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/ingest"
	"github.com/agentpulse/agentpulse/server/app/apptest"
	"github.com/agentpulse/agentpulse/views"
)

// TestHostileInput sends hostile requests through the real product's HTTP
// handlers (ingest endpoint and read API, one server) and checks each
// answer's status and the field it names: never a crash, a 5xx or a hang
// (every request has a client timeout).
//
// Not repeated here, because covered elsewhere: body framing, syntax,
// unknown fields, record and body size limits with small configs, another
// tenant's record, no token, agent token on ingest (ingest TestIngestHTTP);
// broker faults (ingest/http_faults_test.go); every malformed-token shape
// at the verifier (auth TestVerifyRefuses); model/range/from/to/
// sort/order/agent/inquiry/team parameters of the read API (server/api
// TestBadParameters); Twilio signatures (ingest/connectors/twilio
// TestAuthenticate, FuzzAuthenticate) and redeliveries (TestTrackerProperties:
// a replayed signed delivery re-emits the same interaction, same
// interaction_id and revision, which the processor folds idempotently).
func TestHostileInput(t *testing.T) {
	p := apptest.Start(t, apptest.Options{Agents: 4, TeamSize: 2, Days: 2})
	h := p.History[0]
	client := &http.Client{Timeout: 20 * time.Second}

	admin := p.Token(t, auth.Claims{Subject: "admin", Role: auth.RoleAdmin})
	ingestTok := p.Token(t, auth.Claims{Subject: "loader", Role: auth.RoleIngest})
	stranger := p.Token(t, auth.Claims{Tenant: "nosuchtenant", Subject: "admin", Role: auth.RoleAdmin})
	now := time.Now()
	claims := map[string]any{"tenant": p.Tenant, "sub": "admin", "role": "admin", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	expired := hs256(t, apptest.Secret, map[string]any{"alg": "HS256", "typ": "JWT"}, with(claims, "exp", now.Add(-time.Hour).Unix()))
	otherKey := hs256(t, []byte("another-secret-another-secret-32b"), map[string]any{"alg": "HS256", "typ": "JWT"}, claims)
	algNone := unsigned(t, claims)

	// rec is a valid record of the tenant, with replace applied to its JSON.
	rec := func(replace ...string) string {
		it := h
		it.InteractionID = "hostile-1"
		b := string(it.AppendJSON(nil))
		for i := 0; i+1 < len(replace); i += 2 {
			if !strings.Contains(b, replace[i]) {
				t.Fatalf("record %s has no %q", b, replace[i])
			}
			b = strings.Replace(b, replace[i], replace[i+1], 1)
		}
		return b
	}
	started := h.StartedAt.UTC().Format(time.RFC3339Nano)
	ended := h.EndedAt.UTC().Format(time.RFC3339Nano)
	field := func(name string) string { return `"` + name + `":` }
	handle := strings.TrimSuffix(strings.SplitN(strings.SplitN(rec(), field("handle_time_s"), 2)[1], ",", 2)[0], "}")

	type row struct {
		name     string
		method   string
		path     string
		tok      string
		body     []byte
		status   int
		field    string // the error's field (4xx), or the rejected record's field (ingest 200)
		reject   bool   // ingest answered 200 with one rejected record naming field
		contains string // the answer contains this text
		ctype    string // Content-Type of a POST; application/x-ndjson when empty
	}
	ing := ingest.InteractionsPath
	one := func(s string) []byte { return []byte(s + "\n") }
	perf := "/v1/agents/" + url.PathEscape(h.AgentID) + "/performance?model=" + h.Model
	review := "/v1/agents/" + url.PathEscape(h.AgentID) + "/inquiries/" + url.PathEscape(h.Inquiry) + "/interactions?model=" + h.Model + "&metric=aes"
	plans := "/v1/agents/" + url.PathEscape(h.AgentID) + "/plans"
	target := time.Now().UTC().AddDate(0, 0, 30).Format(time.DateOnly)
	plan := `{"model":"` + h.Model + `","inquiry":"` + h.Inquiry + `","metric":"aht","improvement_pct":10,"target_date":"` + target + `","actions":["a"],"assistance":["b"]}`
	rows := []row{
		// Ingest: the body.
		{name: "oversized body", method: "POST", path: ing, tok: ingestTok,
			body: bytes.Repeat([]byte(rec()+"\n"), (ingest.DefaultMaxBodyBytes/len(rec()))+2), status: 413},
		{name: "deeply nested JSON", method: "POST", path: ing, tok: ingestTok,
			body: one(rec(`"source_refs":{`, `"source_refs":{"x":`+strings.Repeat("[", 100000)+strings.Repeat("]", 100000)+`,`)), status: 200, reject: true, field: "source_refs.x"},
		{name: "deeply nested array body", method: "POST", path: ing, tok: ingestTok,
			body: []byte(strings.Repeat("[", 100000) + strings.Repeat("]", 100000)), status: 200, reject: true, field: ""},
		{name: "deeply nested JSON array body", method: "POST", path: ing, tok: ingestTok, ctype: "application/json",
			body: []byte(strings.Repeat("[", 100000) + strings.Repeat("]", 100000)), status: 200, reject: true, field: ""},
		{name: "deeply nested element of an array body", method: "POST", path: ing, tok: ingestTok, ctype: "application/json",
			body: []byte("[" + rec(`"source_refs":{`, `"source_refs":{"x":`+strings.Repeat("{\"a\":", 50000)+"1"+strings.Repeat("}", 50000)+`,`) + "]"), status: 200, reject: true, field: "source_refs.x"},
		{name: "invalid UTF-8 in agent_id", method: "POST", path: ing, tok: ingestTok,
			body: one(rec(`"agent_id":"`, "\"agent_id\":\"\xff\xfe")), status: 200, reject: true, field: "agent_id"},
		{name: "NaN literal", method: "POST", path: ing, tok: ingestTok,
			body: one(rec(field("handle_time_s")+handle, field("handle_time_s")+"NaN")), status: 400}, // not JSON: the whole body is refused
		{name: "Infinity literal", method: "POST", path: ing, tok: ingestTok,
			body: one(rec(field("handle_time_s")+handle, field("handle_time_s")+"Infinity")), status: 400}, // not JSON: the whole body is refused
		{name: "1e999", method: "POST", path: ing, tok: ingestTok,
			body: one(rec(field("handle_time_s")+handle, field("handle_time_s")+"1e999")), status: 200, reject: true, field: "handle_time_s"},
		{name: "handle_time_s -1", method: "POST", path: ing, tok: ingestTok,
			body: one(rec(field("handle_time_s")+handle, field("handle_time_s")+"-1")), status: 200, reject: true, field: "handle_time_s"},
		{name: "handle_time_s 1e9", method: "POST", path: ing, tok: ingestTok,
			body: one(rec(field("handle_time_s")+handle, field("handle_time_s")+"1e9")), status: 200, reject: true, field: "handle_time_s"},
		{name: "started in 1900", method: "POST", path: ing, tok: ingestTok,
			body: one(rec(`"started_at":"`+started, `"started_at":"1900-01-01T00:00:00Z`)), status: 200, reject: true, field: "started_at"},
		{name: "ended in 2200", method: "POST", path: ing, tok: ingestTok,
			body: one(rec(`"ended_at":"`+ended, `"ended_at":"2200-01-01T00:00:00Z`)), status: 200, reject: true, field: "ended_at"},
		{name: "ended before started", method: "POST", path: ing, tok: ingestTok,
			body: one(rec(`"ended_at":"`+ended, `"ended_at":"`+h.StartedAt.Add(-time.Minute).UTC().Format(time.RFC3339))), status: 200, reject: true, field: "ended_at"},
		{name: "another tenant's record", method: "POST", path: ing, tok: ingestTok,
			body: one(rec(`"tenant_id":"`+p.Tenant+`"`, `"tenant_id":"globex"`)), status: 200, reject: true, field: "tenant_id"},
		{name: "record of the token's tenant, token of a stranger", method: "POST", path: ing,
			tok:  p.Token(t, auth.Claims{Tenant: "nosuchtenant", Subject: "loader", Role: auth.RoleIngest}),
			body: one(rec()), status: 200, reject: true, field: "tenant_id"},

		// Coaching plans: a JSON body (FuzzCreateBody covers arbitrary bodies).
		{name: "plan, oversized body", method: "POST", path: plans, tok: admin,
			body: []byte(`{"actions":["` + strings.Repeat("x", 100<<10) + `"]}`), status: 413},
		{name: "plan, deeply nested JSON", method: "POST", path: plans, tok: admin,
			body: []byte(`{"actions":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`), status: 400, field: "body"},
		{name: "plan, invalid UTF-8 in inquiry", method: "POST", path: plans, tok: admin,
			body: []byte(strings.Replace(plan, `"inquiry":"`, "\"inquiry\":\"\xff", 1)), status: 400, field: "body"},
		{name: "plan, NaN", method: "POST", path: plans, tok: admin,
			body: []byte(strings.Replace(plan, `"improvement_pct":10`, `"improvement_pct":NaN`, 1)), status: 400},
		{name: "plan, 1e999", method: "POST", path: plans, tok: admin,
			body: []byte(strings.Replace(plan, `"improvement_pct":10`, `"improvement_pct":1e999`, 1)), status: 400, field: "improvement_pct"},
		// A far target is allowed by views.DecodePlanInput (a warning past 3 months, no upper bound).
		{name: "plan, target in 2200", method: "POST", path: plans, tok: admin,
			body: []byte(strings.Replace(plan, `"target_date":"`+target, `"target_date":"2200-01-01`, 1)), status: 201, contains: "more than 3 months"},
		{name: "plan, target in 1900", method: "POST", path: plans, tok: admin,
			body: []byte(strings.Replace(plan, `"target_date":"`+target, `"target_date":"1900-01-01`, 1)), status: 400, field: "target_date"},
		{name: "plan, ingest token", method: "POST", path: plans, tok: ingestTok, body: []byte(plan), status: 403},

		// Tokens, on both sides.
		{name: "expired token, read", method: "GET", path: perf, tok: expired, status: 401},
		{name: "expired token, ingest", method: "POST", path: ing, tok: expired, body: one(rec()), status: 401},
		{name: "token of another key", method: "GET", path: perf, tok: otherKey, status: 401},
		{name: "alg none token", method: "GET", path: perf, tok: algNone, status: 401},
		{name: "alg none token, ingest", method: "POST", path: ing, tok: algNone, body: one(rec()), status: 401},
		{name: "ingest role on the read API", method: "GET", path: perf, tok: ingestTok, status: 403},
		{name: "unknown tenant in token", method: "GET", path: perf, tok: stranger, status: 404, field: "agent"},

		// Read API parameters not in TestBadParameters.
		{name: "range=5y", method: "GET", path: perf + "&range=5y", tok: admin, status: 400, field: "range"},
		{name: "from after to", method: "GET", path: perf + "&from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", tok: admin, status: 400, field: "to"},
		{name: "sort=bogus", method: "GET", path: perf + "&sort=bogus", tok: admin, status: 400, field: "sort"},
		{name: "limit=0", method: "GET", path: review + "&limit=0", tok: admin, status: 400, field: "limit"},
		{name: "limit=101", method: "GET", path: review + "&limit=101", tok: admin, status: 400, field: "limit"},
		{name: "limit=abc", method: "GET", path: review + "&limit=abc", tok: admin, status: 400, field: "limit"},
		{name: "limit=100", method: "GET", path: review + "&limit=100", tok: admin, status: 200},
		{name: "metric=bogus", method: "GET", path: strings.Replace(review, "metric=aes", "metric=bogus", 1), tok: admin, status: 400, field: "metric"},
		{name: "worst=maybe", method: "GET", path: review + "&worst=maybe", tok: admin, status: 400, field: "worst"},
		{name: "invalid UTF-8 in a parameter", method: "GET", path: perf + "&sort=%ff%fe", tok: admin, status: 400, field: "sort"},
		{name: "invalid UTF-8 in the agent", method: "GET", path: "/v1/agents/%ff%fe/performance?model=" + h.Model, tok: admin, status: 400, field: "agent"},
		{name: "NUL in a parameter", method: "GET", path: perf + "&range=%00", tok: admin, status: 400, field: "range"},
		{name: "huge query", method: "GET", path: perf + "&sort=" + strings.Repeat("x", 100000), tok: admin, status: 400, field: "sort"},
	}
	for _, tc := range rows {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, tc.method, p.URL+tc.path, bytes.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if tc.method == "POST" {
				req.Header.Set("Content-Type", "application/x-ndjson")
				if tc.ctype != "" {
					req.Header.Set("Content-Type", tc.ctype)
				}
			}
			if tc.tok != "" {
				req.Header.Set("Authorization", "Bearer "+tc.tok)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("%s %s: %v", tc.method, tc.name, err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d; body %.300s", resp.StatusCode, tc.status, body)
			}
			if !bytes.Contains(body, []byte(tc.contains)) {
				t.Fatalf("answer %.300s does not contain %q", body, tc.contains)
			}
			switch {
			case tc.reject:
				var got ingest.InteractionsResponse
				if err := json.Unmarshal(body, &got); err != nil {
					t.Fatalf("answer %.300s: %v", body, err)
				}
				if got.Accepted != 0 || len(got.Rejected) != 1 {
					t.Fatalf("accepted %d, rejected %+v; want one rejection", got.Accepted, got.Rejected)
				}
				r := got.Rejected[0]
				if r.Field != tc.field || r.Error == "" {
					t.Fatalf("rejection %+v, want field %q", r, tc.field)
				}
			case tc.status >= 400:
				var e struct{ Error, Field string }
				if err := json.Unmarshal(body, &e); err != nil || e.Error == "" {
					t.Fatalf("error body %.300s: %v", body, err)
				}
				if tc.field != "" && e.Field != tc.field {
					t.Fatalf("error %+v, want field %q", e, tc.field)
				}
			}
		})
	}
	// Nothing lost, nothing hostile counted: the valid record every hostile
	// one was made from is accepted once sent as is, and the agent's figures
	// then equal the reference over the history plus that record alone.
	good := h
	good.InteractionID = "hostile-1"
	req, _ := http.NewRequest("POST", p.URL+ing, bytes.NewReader(one(rec())))
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Authorization", "Bearer "+ingestTok)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var accepted ingest.InteractionsResponse
	if err := json.NewDecoder(resp.Body).Decode(&accepted); err != nil || resp.StatusCode != 200 || accepted.Accepted != 1 {
		t.Fatalf("the valid record: status %d, %+v, %v", resp.StatusCode, accepted, err)
	}
	resp.Body.Close()
	p.History = append(p.History, good)
	want, err := p.Reference().AgentPerformance(p.Tenant, h.AgentID, h.Model, views.RangeSpec{}, views.SortSpec{})
	if err != nil {
		t.Fatal(err)
	}
	wantBody, _ := json.Marshal(want)
	var diff string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		req, _ := http.NewRequest("GET", p.URL+perf, nil)
		req.Header.Set("Authorization", "Bearer "+admin)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		where, ok := views.ExactJSONDiff(body, wantBody)
		if resp.StatusCode == 200 && ok {
			break
		}
		diff = fmt.Sprintf("status %d, differs at %s:\n got %.2000s\nwant %.2000s", resp.StatusCode, where, body, wantBody)
		if time.Now().After(deadline) {
			t.Fatalf("after the hostile table, the agent's performance is not the reference's: %s", diff)
		}
	}

	// The stranger sees nothing of the tenant, on any route.
	for _, path := range []string{"/v1/teams/" + url.PathEscape(h.TeamID) + "/agents?model=" + h.Model, "/v1/wallboards/" + h.Model, "/v1/models"} {
		req, _ := http.NewRequest("GET", p.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+stranger)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 || bytes.Contains(body, []byte(h.AgentID)) {
			t.Errorf("stranger GET %s = %d %.300s", path, resp.StatusCode, body)
		}
	}
}

func with(m map[string]any, k string, v any) map[string]any {
	out := map[string]any{}
	for a, b := range m {
		out[a] = b
	}
	out[k] = v
	return out
}

func b64(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hs256 signs header and claims with secret by hand.
func hs256(t *testing.T, secret []byte, header, claims map[string]any) string {
	s := b64(t, header) + "." + b64(t, claims)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(s))
	return s + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// unsigned is an alg none token.
func unsigned(t *testing.T, claims map[string]any) string {
	return b64(t, map[string]any{"alg": "none", "typ": "JWT"}) + "." + b64(t, claims) + "."
}
