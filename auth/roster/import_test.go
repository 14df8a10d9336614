package roster_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/agentpulse/agentpulse/audit"
	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/auth/roster"
)

// importRig serves the roster's routes and the import over one Log, with
// an audit log, on a kfake broker.
type importRig struct {
	brokers []string
	log     *roster.Log
	audit   *audit.Log
	srv     *httptest.Server
}

func newImportRig(t *testing.T, cfg roster.Config) *importRig {
	t.Helper()
	brokers := startCluster(t)
	cfg.Brokers = brokers
	ctx, cancel := context.WithCancel(context.Background())
	l, err := roster.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	al, err := audit.New(audit.Config{Brokers: brokers})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{}, 2)
	go func() { defer func() { done <- struct{}{} }(); _ = l.Run(ctx) }()
	go func() { defer func() { done <- struct{}{} }(); _ = al.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; <-done; l.Close(); al.Close() })
	v := roster.Verifier{Roster: l.Roster(), Next: auth.Verifier{Secret: secret}}
	api := &roster.API{Log: l, Verifier: v, Audit: al}
	r := chi.NewRouter()
	api.Routes(r)
	api.ImportRoutes(r)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return &importRig{brokers: brokers, log: l, audit: al, srv: srv}
}

func (g *importRig) post(t *testing.T, c auth.Claims, contentType, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, g.srv.URL+roster.PathImport, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+mint(t, c))
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&v)
	return resp.StatusCode, v
}

// TestImport: a JSON import and a CSV import add and change people (the
// others stay), a repeat changes nothing, another process sees them, and
// the import is audited: one roster_imported with counts, role_changed for
// every person added above agent and every role or team change.
func TestImport(t *testing.T) {
	g := newImportRig(t, roster.Config{})
	ctx := context.Background()
	if _, _, err := g.log.Put(ctx, "acme", roster.Person{Subject: "keep-me", Role: auth.RoleAgent}, boss); err != nil {
		t.Fatal(err)
	}
	code, v := g.post(t, boss, "application/json", `[
		{"subject":"boss","name":"The Boss","role":"admin"},
		{"subject":"lead-1","name":"Ana Lima","role":"supervisor","teams":["team-02","team-01","team-02"]},
		{"subject":"a1","role":"agent"}]`)
	if code != 200 || v["added"] != float64(3) || v["changed"] != float64(0) {
		t.Fatalf("JSON import: %d %v", code, v)
	}
	code, v = g.post(t, boss, "text/csv; charset=utf-8", "\ufeffSubject,role,teams,name\r\n"+
		"lead-1,supervisor,team-03; team-01,Ana Lima\r\n"+
		"a1,agent,,\"Bo \"\"Bob\"\" Berg\"\r\n"+
		"\"a2\",agent,,\"Lee, Kim\"\r\n"+
		"boss,admin,,The Boss\r\n")
	if code != 200 || v["added"] != float64(1) || v["changed"] != float64(2) || v["unchanged"] != float64(1) {
		t.Fatalf("CSV import: %d %v", code, v)
	}
	want := map[string]string{"a1": "agent||Bo \"Bob\" Berg", "a2": "agent||Lee, Kim", "boss": "admin||The Boss",
		"keep-me": "agent||", "lead-1": "supervisor|team-01,team-03|Ana Lima"}
	check := func(l *roster.Log) bool {
		got := map[string]string{}
		for _, p := range l.Roster().List("acme") {
			got[p.Subject] = string(p.Role) + "|" + strings.Join(p.Teams, ",") + "|" + p.Name
		}
		return fmt.Sprint(got) == fmt.Sprint(want)
	}
	if !check(g.log) {
		t.Fatalf("roster after the imports: %+v", g.log.Roster().List("acme"))
	}
	other, _ := openLog(t, g.brokers)
	waitUntil(t, "the imports on another process", func() bool { return check(other) })
	if code, v = g.post(t, boss, "text/csv", "subject,role,teams,name\nlead-1,supervisor,team-01;team-03,Ana Lima\n"); code != 200 || v["unchanged"] != float64(1) || v["added"] != float64(0) {
		t.Fatalf("repeat: %d %v", code, v)
	}
	waitUntil(t, "the audit events", func() bool { return len(g.audit.Query("acme", audit.RosterImported, time.Time{}, 10)) == 3 })
	var roles []string
	for _, e := range g.audit.Query("acme", audit.RoleChanged, time.Time{}, 100) {
		roles = append(roles, e.Target+": "+e.Detail)
	}
	slices.Sort(roles)
	wantRoles := []string{"boss: added as admin (import)", "lead-1: added as supervisor of team-01, team-02 (import)",
		"lead-1: supervisor of team-01, team-02 → supervisor of team-01, team-03 (import)"}
	if !slices.Equal(roles, wantRoles) {
		t.Errorf("role_changed events:\n%s\nwant\n%s", strings.Join(roles, "\n"), strings.Join(wantRoles, "\n"))
	}
	first := g.audit.Query("acme", audit.RosterImported, time.Time{}, 10)[2]
	if first.Actor != "boss" || first.Detail != "3 people: 3 added (1 agents, 1 supervisors, 1 admins), 0 changed (0 names), 0 unchanged" {
		t.Errorf("roster_imported event: %+v", first)
	}
}

// TestImportRefusals: a file with any problem is refused whole (400,
// every problem named by row, field and rule; nothing written); the
// wrong media type 415; other roles 403; more people than the tenant may
// have 409 or a row error.
func TestImportRefusals(t *testing.T) {
	g := newImportRig(t, roster.Config{MaxPerTenant: 4})
	ctx := context.Background()
	for _, tc := range []struct {
		name, ct, body string
		rows           []string // "row field"
	}{
		{"bad rows", "application/json", `[{"subject":"ok-1","role":"agent"},{"subject":"x y","role":"boss"},{"subject":"a","role":"agent","teams":["t1"]},{"subject":"ok-1","role":"agent"}]`,
			[]string{"2 subject", "2 role", "3 teams", "4 subject"}},
		{"unknown field", "application/json", `[{"subject":"b","role":"agent","mood":"ok"}]`, []string{"1 mood"}},
		{"wrong type", "application/json", `[{"subject":1,"role":"agent"}]`, []string{"1 subject"}},
		{"not an array", "application/json", `{"subject":"a","role":"agent"}`, []string{"0 body"}},
		{"trailing", "application/json", `[] []`, []string{"0 body"}},
		{"empty", "application/json", `[]`, []string{"0 body"}},
		{"self demotion", "application/json", `[{"subject":"boss","role":"agent"}]`, []string{"1 role"}},
		{"csv no role column", "text/csv", "subject,name\na,b\n", []string{"0 header"}},
		{"csv unknown column", "text/csv", "subject,role,mood\na,agent,ok\n", []string{"0 header"}},
		{"csv twice", "text/csv", "subject,role,role\na,agent,agent\n", []string{"0 header"}},
		{"csv cells", "text/csv", "subject,role\na,agent,extra\nb\nc,admin\n", []string{"1 body", "2 body"}},
		{"csv quote", "text/csv", "subject,role\na,agent\n\"b,agent\n", []string{"2 body"}},
		{"csv name", "text/csv", "subject,role,name\na,agent,\"bell\x07\"\n", []string{"1 name"}},
		{"csv not utf-8", "text/csv", "subject,role\n\xff,agent\n", []string{"0 body"}},
		{"too many", "text/csv", "subject,role\na,agent\nb,agent\nc,agent\nd,agent\ne,agent\n", []string{"5 body"}},
	} {
		code, v := g.post(t, boss, tc.ct, tc.body)
		var got []string
		rows, _ := v["rows"].([]any)
		for _, r := range rows {
			m := r.(map[string]any)
			if m["error"] == "" {
				t.Errorf("%s: a row error without its rule: %v", tc.name, m)
			}
			got = append(got, fmt.Sprintf("%v %v", m["row"], m["field"]))
		}
		if code != 400 || v["field"] != "rows" || !slices.Equal(got, tc.rows) || v["count"] != float64(len(tc.rows)) {
			t.Errorf("%s: %d %v, want 400 with rows %v", tc.name, code, v, tc.rows)
		}
	}
	if n := len(g.log.Roster().List("acme")); n != 0 {
		t.Fatalf("refused imports wrote %d people", n)
	}
	if code, v := g.post(t, boss, "text/plain", "subject,role\na,agent\n"); code != 415 || v["field"] != "Content-Type" {
		t.Errorf("text/plain: %d %v", code, v)
	}
	lead := auth.Claims{Tenant: "acme", Subject: "lead", Role: auth.RoleSupervisor, Teams: []string{"t1"}}
	if code, _ := g.post(t, lead, "text/csv", "subject,role\na,agent\n"); code != 403 {
		t.Errorf("supervisor import: %d, want 403", code)
	}
	for _, s := range []string{"p1", "p2", "p3"} {
		if _, _, err := g.log.Put(ctx, "acme", roster.Person{Subject: s, Role: auth.RoleAgent}, boss); err != nil {
			t.Fatal(err)
		}
	}
	if code, v := g.post(t, boss, "text/csv", "subject,role\np1,agent\nn1,agent\nn2,agent\n"); code != 409 || !strings.Contains(fmt.Sprint(v["error"]), "would make it 5") {
		t.Errorf("over the tenant's bound: %d %v, want 409", code, v)
	}
	if n := len(g.log.Roster().List("acme")); n != 3 {
		t.Fatalf("a refused import wrote people: %d listed", n)
	}
}

// FuzzParseImport: no body crashes the parser; what it admits is at least
// one person, each passing Check, each subject once, at most the bound;
// what it refuses names a row (0: the whole body), a field and a rule.
func FuzzParseImport(f *testing.F) {
	f.Add([]byte("subject,name,role,teams\nlead-1,Ana,supervisor,t1;t2\na1,,agent,\n"), true)
	f.Add([]byte("role,subject\nadmin,boss\n"), true)
	f.Add([]byte("subject,role\n\"a,agent\n"), true)
	f.Add([]byte(`[{"subject":"a","role":"agent"},{"subject":"b","name":"Bo","role":"supervisor","teams":["t"]}]`), false)
	f.Add([]byte(`[{"subject":"a","role":"agent","x":1}]`), false)
	f.Fuzz(func(t *testing.T, body []byte, csv bool) {
		people, errs := roster.ParseImport(body, csv, 50)
		if len(errs) > 0 {
			if people != nil {
				t.Fatalf("refused with people: %v", people)
			}
			for _, e := range errs {
				if e.Row < 0 || e.Field == "" || e.Error == "" {
					t.Fatalf("row error without row, field or rule: %+v", e)
				}
			}
			return
		}
		if len(people) == 0 || len(people) > 50 {
			t.Fatalf("admitted %d people", len(people))
		}
		seen := map[string]bool{}
		for _, p := range people {
			if field, msg := p.Check(); field != "" {
				t.Fatalf("admitted %+v fails Check: %s %s", p, field, msg)
			}
			if seen[p.Subject] {
				t.Fatalf("admitted %s twice", p.Subject)
			}
			seen[p.Subject] = true
		}
	})
}
