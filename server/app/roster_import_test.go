package app_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/auth/roster"
	"github.com/agentpulse/agentpulse/server/app/apptest"
)

// TestRosterImportThroughTheProduct: the import route has its own body
// limit (a file of thousands of people is larger than the API's 64 KiB),
// keeps the API's rate limit and roles, and the people it imports apply
// to the next request (a supervisor it made reads the team it gave them).
func TestRosterImportThroughTheProduct(t *testing.T) {
	p := apptest.Start(t, apptest.Options{Agents: 8, TeamSize: 4, Days: 1})
	admin := p.Token(t, auth.Claims{Subject: "boss", Role: auth.RoleAdmin})
	var csv strings.Builder
	csv.WriteString("subject,name,role,teams\n")
	const n = 5000
	for i := range n {
		fmt.Fprintf(&csv, "person-%05d,Person Number %d,agent,\n", i, i)
	}
	csv.WriteString("lead-09,Ana Lima,supervisor,team-02\n")
	if csv.Len() <= 64<<10 {
		t.Fatalf("the file is %d bytes: not past the API's body limit", csv.Len())
	}
	post := func(tok, body string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, p.URL+roster.PathImport, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "text/csv")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		buf := make([]byte, 4096)
		k, _ := resp.Body.Read(buf)
		return resp.StatusCode, string(buf[:k])
	}
	start := time.Now()
	code, body := post(admin, csv.String())
	if code != 200 || !strings.Contains(body, fmt.Sprintf(`"added":%d`, n+1)) {
		t.Fatalf("import of %d bytes: %d %s", csv.Len(), code, body)
	}
	t.Logf("imported %d people (%d bytes of CSV) in %v", n+1, csv.Len(), time.Since(start))
	var view struct{ People []struct{ Subject string } }
	if s := call(t, p, admin, "GET", "/v1/roster", nil, &view); s != 200 || len(view.People) != n+1 {
		t.Fatalf("GET /v1/roster after the import: %d, %d people", s, len(view.People))
	}
	lead := p.Token(t, auth.Claims{Subject: "lead-09", Role: auth.RoleAgent})
	var me struct {
		Role  string
		Teams []string
	}
	if s := call(t, p, lead, "GET", "/v1/me", nil, &me); s != 200 || me.Role != "supervisor" || len(me.Teams) != 1 || me.Teams[0] != "team-02" {
		t.Fatalf("/v1/me of the imported supervisor: %d %+v", s, me)
	}
	agent := p.Token(t, auth.Claims{Subject: "agent-0001", Role: auth.RoleAgent})
	if code, _ := post(agent, "subject,role\nx,admin\n"); code != http.StatusForbidden {
		t.Fatalf("an agent's import: %d, want 403", code)
	}
	if code, body := post(admin, strings.Repeat("x", roster.MaxImportBytes+1)); code != http.StatusRequestEntityTooLarge {
		t.Fatalf("an import past %d bytes: %d %s", roster.MaxImportBytes, code, body)
	}
}
