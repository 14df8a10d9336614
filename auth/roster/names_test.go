package roster_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/agentpulse/agentpulse/audit"
	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/auth/roster"
)

// namesServer serves the roster's routes over l, auditing to a.
func namesServer(t *testing.T, l *roster.Log, a *audit.Log) *httptest.Server {
	t.Helper()
	r := chi.NewRouter()
	(&roster.API{Log: l, Verifier: roster.Verifier{Roster: l.Roster(), Next: auth.Verifier{Secret: secret}}, Audit: a}).Routes(r)
	s := httptest.NewServer(r)
	t.Cleanup(s.Close)
	return s
}

// do calls method path with body (JSON unless a []byte) as c and decodes
// the answer into out; it returns the status.
func do(t *testing.T, s *httptest.Server, c auth.Claims, method, path string, body any, out any) int {
	t.Helper()
	b, ok := body.([]byte)
	if !ok && body != nil {
		b, _ = json.Marshal(body)
	}
	req, _ := http.NewRequest(method, s.URL+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+mint(t, c))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

// TestDisplayNames: an admin sets names of teams, inquiries and models;
// every person of the tenant reads them (people's names beside); an empty
// name removes one; bad input is refused naming the field and the rule;
// changes are audited, reach another server, and survive a restart.
func TestDisplayNames(t *testing.T) {
	brokers := startCluster(t)
	ctx := context.Background()
	al, err := audit.New(audit.Config{Brokers: brokers})
	if err != nil {
		t.Fatal(err)
	}
	actx, stopAudit := context.WithCancel(ctx)
	go func() { _ = al.Run(actx) }()
	t.Cleanup(func() { stopAudit(); al.Close() })
	a, stopA := openLog(t, brokers)
	b, stopB := openLog(t, brokers)
	s := namesServer(t, a, al)
	agent := auth.Claims{Tenant: "acme", Subject: "agent-0001", Role: auth.RoleAgent}
	if _, _, err := a.Put(ctx, "acme", roster.Person{Subject: "agent-0001", Name: "Bo Berg", Role: auth.RoleAgent}, boss); err != nil {
		t.Fatal(err)
	}

	var got roster.Names
	body := map[string]map[string]string{
		"teams":     {"team-01": "  Billing East ", "team-02": "Tech Support Nord"},
		"inquiries": {"technical_support": "Technical help", "billing/refund": "Refunds"},
		"models":    {"chat": "Web chat"},
	}
	if st := do(t, s, boss, "PUT", "/v1/names", body, &got); st != 200 {
		t.Fatalf("PUT names: %d", st)
	}
	if got.Teams["team-01"] != "Billing East" || got.Inquiries["billing/refund"] != "Refunds" || got.Models["chat"] != "Web chat" || got.People["agent-0001"] != "Bo Berg" {
		t.Fatalf("after PUT: %+v", got)
	}
	if st := do(t, s, agent, "PUT", "/v1/names", body, nil); st != 403 {
		t.Fatalf("an agent sets names: %d, want 403", st)
	}
	got = roster.Names{}
	if st := do(t, s, agent, "GET", "/v1/names", nil, &got); st != 200 || len(got.Teams) != 2 || len(got.Inquiries) != 2 || got.Teams["team-02"] != "Tech Support Nord" {
		t.Fatalf("an agent reads names: %d %+v", st, got)
	}
	other := auth.Claims{Tenant: "globex", Subject: "x", Role: auth.RoleAgent}
	got = roster.Names{}
	if st := do(t, s, other, "GET", "/v1/names", nil, &got); st != 200 || len(got.Teams) != 0 || got.People == nil || got.Models == nil {
		t.Fatalf("another tenant: %d %+v", st, got)
	}

	// A merge: team-02 removed, team-01 left alone, chat renamed.
	got = roster.Names{}
	if st := do(t, s, boss, "PUT", "/v1/names", map[string]map[string]string{"teams": {"team-02": ""}, "models": {"chat": "Chat"}}, &got); st != 200 ||
		got.Teams["team-01"] != "Billing East" || len(got.Teams) != 1 || got.Models["chat"] != "Chat" || len(got.Inquiries) != 2 {
		t.Fatalf("merge: %d %+v", st, got)
	}

	for _, tc := range []struct {
		body  string
		field string
		says  string
	}{
		{`{"teams":{"team 01":"x"}}`, `teams["team 01"]`, "is not a team id"},
		{`{"models":{"Chat":"x"}}`, `models["Chat"]`, "is not a channel"},
		{`{"inquiries":{"billing":"a\nb"}}`, `inquiries["billing"]`, "printable"},
		{`{"teams":{"team-01":"` + strings.Repeat("é", 129) + `"}}`, `teams["team-01"]`, "at most 128 characters"},
		{`{"people":{"agent-0001":"x"}}`, "body", "unknown field"},
		{`{"teams":{"team-01":1}}`, "body", "not the expected JSON object"},
		{`{"teams":{}} {}`, "body", "trailing data"},
	} {
		var e struct{ Error, Field string }
		if st := do(t, s, boss, "PUT", "/v1/names", []byte(tc.body), &e); st != 400 || e.Field != tc.field || !strings.Contains(e.Error, tc.says) {
			t.Errorf("%s: %d %+v, want 400 field %s saying %q", tc.body, st, e, tc.field, tc.says)
		}
	}
	big := map[string]string{}
	for i := range roster.MaxNamesPerPut + 1 {
		big["t"+strconv.Itoa(i)] = "x"
	}
	var e struct{ Error, Field string }
	if st := do(t, s, boss, "PUT", "/v1/names", map[string]any{"teams": big}, &e); st != 400 || e.Field != "body" || !strings.Contains(e.Error, "at most 1000 names") {
		t.Fatalf("too many in one request: %d %+v", st, e)
	}

	// Audited: set team-01, team-02, two inquiries, chat; removed team-02;
	// renamed chat. The refused requests are not.
	var events []audit.Event
	waitUntil(t, "the audit events", func() bool {
		events = al.Query("acme", audit.DisplayNameChanged, time.Time{}, 100)
		return len(events) == 7
	})
	found := false
	for _, ev := range events {
		if ev.Target == "teams team-02" && ev.Detail == `"Tech Support Nord" → ""` && ev.Actor == "boss" {
			found = true
		}
	}
	if !found {
		t.Fatalf("no audit event of team-02's removal in %+v", events)
	}

	// The other server has them; a server started after both stopped too.
	waitUntil(t, "the other server sees the names", func() bool {
		n := b.Roster().AllNames("acme")
		return n.Models["chat"] == "Chat" && len(n.Teams) == 1
	})
	stopA()
	stopB()
	c, _ := openLog(t, brokers)
	if n := c.Roster().AllNames("acme"); n.Teams["team-01"] != "Billing East" || len(n.Teams) != 1 || n.Inquiries["technical_support"] != "Technical help" || n.Models["chat"] != "Chat" || n.People["agent-0001"] != "Bo Berg" {
		t.Fatalf("after a restart: %+v", n)
	}
}

// TestDisplayNamesBound: a tenant holds at most Config.MaxNames names of
// one kind (409 beyond); removing one makes room.
func TestDisplayNamesBound(t *testing.T) {
	l, err := roster.Open(context.Background(), roster.Config{Brokers: startCluster(t), MaxNames: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	s := namesServer(t, l, nil)
	if st := do(t, s, boss, "PUT", "/v1/names", map[string]map[string]string{"teams": {"a": "A", "b": "B"}, "models": {"chat": "Chat"}}, nil); st != 200 {
		t.Fatalf("two teams: %d", st)
	}
	var e struct{ Error, Field string }
	if st := do(t, s, boss, "PUT", "/v1/names", map[string]map[string]string{"teams": {"c": "C"}}, &e); st != 409 || !strings.Contains(e.Error, "most display names") {
		t.Fatalf("a third team: %d %+v", st, e)
	}
	if st := do(t, s, boss, "PUT", "/v1/names", map[string]map[string]string{"teams": {"a": "", "c": "C", "b": "B2"}}, nil); st != 200 {
		t.Fatalf("swap a for c: %d", st)
	}
	if n := l.Roster().AllNames("acme").Teams; len(n) != 2 || n["c"] != "C" || n["b"] != "B2" {
		t.Fatalf("teams %v", n)
	}
}

// FuzzDecodeNames: no body crashes the decoder, and whatever it admits
// is accepted by SetNames' own checks (ids of their kind, printable names
// of at most 128 characters, trimmed).
func FuzzDecodeNames(f *testing.F) {
	f.Add([]byte(`{"teams":{"team-01":"Billing East"},"inquiries":{"technical_support":"Tech"},"models":{"chat":"Chat"}}`))
	f.Add([]byte(`{"teams":{"team-01":""}}`))
	f.Add([]byte(`{"inquiries":{"a/b c":"  x  "}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		labels, field, msg := roster.DecodeNames(body)
		if field != "" {
			if msg == "" {
				t.Fatalf("field %s without a message", field)
			}
			return
		}
		for _, l := range labels {
			if strings.TrimSpace(l.Name) != l.Name || len([]rune(l.Name)) > roster.MaxNameRunes || l.ID == "" {
				t.Fatalf("admitted %+v", l)
			}
		}
	})
}
