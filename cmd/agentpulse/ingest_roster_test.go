package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/auth/roster"
	"github.com/agentpulse/agentpulse/ingest/broker"
)

// TestIngestResolvesTokensThroughTheRoster: the standalone `agentpulse
// ingest` reads the roster as `all` does: an admin the roster made an agent
// cannot post with their admin token; in mode roster an unlisted admin is
// refused while machine tokens (role ingest) still post.
func TestIngestResolvesTokensThroughTheRoster(t *testing.T) {
	b, err := broker.StartEmbedded(broker.EmbeddedConfig{Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	secret := "ingest-roster-test-secret-0123456789"
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- runIngest(ctx, []string{"--http-addr", addr, "--brokers", b.Addr(), "--auth-secret", secret, "--data-dir", t.TempDir(), "--log-level", "error"}, io.Discard)
	}()
	base := "http://" + addr
	waitFor(t, "ingest ready", 30*time.Second, func() bool {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	post := func(tok string) int {
		req, _ := http.NewRequest(http.MethodPost, base+"/v1/ingest/interactions", strings.NewReader("[]"))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	ops := mintToken(t, secret, auth.Claims{Tenant: "acme", Subject: "ops-1", Role: auth.RoleAdmin}, time.Hour)
	other := mintToken(t, secret, auth.Claims{Tenant: "acme", Subject: "ops-2", Role: auth.RoleAdmin}, time.Hour)
	feed := mintToken(t, secret, auth.Claims{Tenant: "acme", Subject: "feed", Role: auth.RoleIngest}, time.Hour)
	if code := post(ops); code != http.StatusOK {
		t.Fatalf("ingest as an admin the roster does not list: %d", code)
	}

	people, err := roster.New(roster.Config{Brokers: []string{b.Addr()}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer people.Close()
	rctx, rcancel := context.WithCancel(context.Background())
	rdone := make(chan struct{})
	go func() { defer close(rdone); _ = people.Run(rctx) }()
	defer func() { rcancel(); <-rdone }()
	waitFor(t, "the test's roster read", 10*time.Second, func() bool { return people.Ready(context.Background()) == nil })
	boss := auth.Claims{Tenant: "acme", Subject: "boss", Role: auth.RoleAdmin}
	for _, p := range []roster.Person{{Subject: "boss", Role: auth.RoleAdmin}, {Subject: "ops-1", Role: auth.RoleAgent}} {
		if _, _, err := people.Put(context.Background(), "acme", p, boss); err != nil {
			t.Fatal(err)
		}
	}
	took := waitFor(t, "the demotion reaching ingest", 10*time.Second, func() bool { return post(ops) == http.StatusForbidden })
	t.Logf("roster change reached the standalone ingest process %v after the put", took)
	if code := post(other); code != http.StatusOK {
		t.Fatalf("an unlisted admin in mode override: %d, want 200", code)
	}
	if _, err := people.SetMode(context.Background(), "acme", roster.ModeRoster, boss); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "mode roster reaching ingest", 10*time.Second, func() bool { return post(other) == http.StatusForbidden })
	if code := post(feed); code != http.StatusOK {
		t.Fatalf("a machine token in mode roster: %d, want 200", code)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("runIngest: %v", err)
	}
}
