package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/auth/apikeys"
	"github.com/agentpulse/agentpulse/ingest/broker"
	"github.com/agentpulse/agentpulse/schemas"
)

// TestAPIKeyRevokedOnEveryIngestProcess runs two `agentpulse ingest`
// processes on one broker: a key an admin created elsewhere is admitted by
// both, and once revoked it is refused by both within 5 s (measured from
// the revocation).
func TestAPIKeyRevokedOnEveryIngestProcess(t *testing.T) {
	b, err := broker.StartEmbedded(broker.EmbeddedConfig{Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var bases []string
	var dones []chan error
	for range 2 {
		addr, done := freeAddr(t), make(chan error, 1)
		dataDir := t.TempDir()
		go func() {
			done <- runIngest(ctx, []string{"--http-addr", addr, "--brokers", b.Addr(), "--data-dir", dataDir, "--log-level", "error"}, io.Discard)
		}()
		bases, dones = append(bases, "http://"+addr), append(dones, done)
	}
	for _, base := range bases {
		waitReady(t, base)
	}
	admin, err := apikeys.Open(ctx, apikeys.Config{Brokers: []string{b.Addr()}})
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	rec, key, err := admin.Create(ctx, "acme", "feed", "boss")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	post := func(base string) int {
		n++
		start := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
		it := schemas.Interaction{TenantID: "acme", InteractionID: "k" + string(rune('a'+n%26)), Revision: 1, Model: "email", AgentID: "a1",
			TeamID: "t1", Inquiry: "billing", StartedAt: start, EndedAt: start.Add(time.Minute), HandleTimeS: 60, Source: "api"}
		req, _ := http.NewRequest(http.MethodPost, base+"/v1/ingest/interactions", bytes.NewReader(append(it.AppendJSON(nil), '\n')))
		req.Header.Set("Content-Type", "application/x-ndjson")
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, base := range bases {
		deadline := time.Now().Add(5 * time.Second)
		for post(base) != 200 {
			if time.Now().After(deadline) {
				t.Fatalf("%s never admitted the new key", base)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	revoked := time.Now()
	if _, err := admin.Revoke(ctx, "acme", rec.ID, "boss"); err != nil {
		t.Fatal(err)
	}
	for _, base := range bases {
		for post(base) != 401 {
			if time.Since(revoked) > 5*time.Second {
				t.Fatalf("%s still admits the key 5 s after its revocation", base)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	t.Logf("revoked key refused by both ingest processes %s after the revocation", time.Since(revoked))
	cancel()
	for _, d := range dones {
		if err := <-d; err != nil {
			t.Fatalf("runIngest: %v", err)
		}
	}
}

// waitReady waits for base's /readyz to answer 200.
func waitReady(t testing.TB, base string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/readyz never answered 200 (last error %v)", base, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
