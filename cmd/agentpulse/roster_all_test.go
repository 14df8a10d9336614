package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/auth"
)

// TestAllKeepsTheRosterAcrossRestarts: a roster change made through
// `agentpulse all` (embedded broker) is there after a restart on the same
// data directory: the roster lives on the broker's compacted topic, not in
// the process.
func TestAllKeepsTheRosterAcrossRestarts(t *testing.T) {
	secret := "roster-all-test-secret-0123456789abcdef"
	dataDir := t.TempDir()
	admin := mintToken(t, secret, auth.Claims{Tenant: "acme", Subject: "admin", Role: auth.RoleAdmin}, time.Hour)
	start := func() (string, func()) {
		httpAddr, brokerAddr := freeAddr(t), freeAddr(t)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- runAll(ctx, []string{"--data-dir", dataDir, "--http-addr", httpAddr, "--broker-addr", brokerAddr,
				"--auth-secret", secret, "--partitions", "1", "--api-rate", "-1", "--log-level", "warn"}, io.Discard)
		}()
		base := "http://" + httpAddr
		waitHTTP(t, base+"/healthz", 30*time.Second)
		return base, func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("all: %v", err)
			}
		}
	}
	base, stop := start()
	waitFor(t, "the roster route", 20*time.Second, func() bool {
		req, _ := http.NewRequest(http.MethodPut, base+"/v1/roster/people/lead-01", strings.NewReader(`{"name":"Ana Lima","role":"supervisor","teams":["team-02"]}`))
		req.Header.Set("Authorization", "Bearer "+admin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusCreated
	})
	stop()

	base, stop = start()
	defer stop()
	var got struct {
		Mode   string
		People []struct{ Subject, Name, Role string }
	}
	waitFor(t, "the roster after the restart", 20*time.Second, func() bool {
		code, b := get(t, base+"/v1/roster", admin)
		return code == http.StatusOK && json.Unmarshal(b, &got) == nil && len(got.People) == 1
	})
	if p := got.People[0]; p.Subject != "lead-01" || p.Name != "Ana Lima" || p.Role != "supervisor" || got.Mode != "override" {
		t.Fatalf("roster after the restart: %+v", got)
	}
	// The roster applies: the leader's token says team-01, /v1/me says team-02.
	lead := mintToken(t, secret, auth.Claims{Tenant: "acme", Subject: "lead-01", Role: auth.RoleSupervisor, Teams: []string{"team-01"}}, time.Hour)
	code, b := get(t, base+"/v1/me", lead)
	if code != http.StatusOK || !strings.Contains(string(b), `"teams":["team-02"]`) {
		t.Fatalf("me after the restart: %d %s", code, b)
	}

	// The ingest route of `all` resolves people through the roster too:
	// an admin the roster made an agent cannot post with their admin token.
	ops := mintToken(t, secret, auth.Claims{Tenant: "acme", Subject: "ops-1", Role: auth.RoleAdmin}, time.Hour)
	post := func() int {
		req, _ := http.NewRequest(http.MethodPost, base+"/v1/ingest/interactions", strings.NewReader("[]"))
		req.Header.Set("Authorization", "Bearer "+ops)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(); code == http.StatusForbidden || code == http.StatusUnauthorized {
		t.Fatalf("ingest as a listed-nowhere admin: %d", code)
	}
	req, _ := http.NewRequest(http.MethodPut, base+"/v1/roster/people/ops-1", strings.NewReader(`{"role":"agent"}`))
	req.Header.Set("Authorization", "Bearer "+admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("demote ops-1: %d", resp.StatusCode)
	}
	if code := post(); code != http.StatusForbidden {
		t.Fatalf("ingest as an admin the roster made an agent: %d, want 403", code)
	}
}
