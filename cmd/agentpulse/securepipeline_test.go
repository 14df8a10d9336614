package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// TestPipelineOverTLSAndSASL runs `agentpulse ingest`, `process` and
// `serve` (in this test process) against a broker that requires TLS and
// SCRAM-SHA-512 and a ClickHouse reached on its TLS port: interactions
// posted to ingest are folded by the processor into ClickHouse and the
// server's read API answers their volume.
func TestPipelineOverTLSAndSASL(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ClickHouse; skipped with -short")
	}
	chSecure, _, chCA := secureClickHouse(t)
	brokers, kafkaCA := secureBroker(t)
	t.Setenv("AGENTPULSE_KAFKA_SASL_PASSWORD", "pw-512")
	kafka := []string{"--brokers", strings.Join(brokers, ","), "--kafka-tls-ca", kafkaCA,
		"--kafka-sasl-mechanism", "SCRAM-SHA-512", "--kafka-sasl-user", "svc"}
	db := fmt.Sprintf("secure_%d", time.Now().UnixNano())
	ch := []string{"--clickhouse-addr", chSecure, "--clickhouse-tls-ca", chCA, "--clickhouse-database", db}
	const secret = "secure-pipeline-secret-0123456789abcdef"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var dones []chan error
	start := func(run func(context.Context, []string, io.Writer) error, args ...string) {
		done := make(chan error, 1)
		go func() { done <- run(ctx, append(args, "--log-level", "error"), io.Discard) }()
		dones = append(dones, done)
	}
	procAddr, serveAddr, ingestAddr := freeAddr(t), freeAddr(t), freeAddr(t)
	start(runProcess, append(append([]string{"--data-dir", t.TempDir(), "--store", "clickhouse", "--http-addr", procAddr, "--partitions", "2"}, kafka...), ch...)...)
	waitReady(t, "http://"+procAddr)
	start(runServe, append(append([]string{"--http-addr", serveAddr, "--auth-secret", secret, "--partitions", "2"}, kafka...), ch...)...)
	start(runIngest, append([]string{"--http-addr", ingestAddr, "--auth-secret", secret, "--data-dir", t.TempDir()}, kafka...)...)
	waitReady(t, "http://"+ingestAddr)
	waitReady(t, "http://"+serveAddr)

	const n = 12
	end := time.Now().UTC().Add(-time.Hour).Truncate(time.Minute)
	var body bytes.Buffer
	for i := range n {
		it := schemas.Interaction{TenantID: "acme", InteractionID: fmt.Sprintf("sec-%d", i), Revision: 1, Model: "email", AgentID: "a1",
			TeamID: "t1", Inquiry: "billing", StartedAt: end.Add(-time.Duration(i+5) * time.Minute), EndedAt: end.Add(-time.Duration(i) * time.Minute),
			HandleTimeS: 300, Source: "api"}
		body.Write(append(it.AppendJSON(nil), '\n'))
	}
	req, _ := http.NewRequest(http.MethodPost, "http://"+ingestAddr+"/v1/ingest/interactions", &body)
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Authorization", "Bearer "+mintToken(t, secret, auth.Claims{Tenant: "acme", Subject: "feed", Role: auth.RoleIngest}, time.Hour))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), fmt.Sprintf(`"accepted":%d`, n)) {
		t.Fatalf("ingest: %d %s", resp.StatusCode, b)
	}
	admin := mintToken(t, secret, auth.Claims{Tenant: "acme", Subject: "boss", Role: auth.RoleAdmin}, time.Hour)
	var last string
	deadline := time.Now().Add(60 * time.Second)
	for {
		req, _ := http.NewRequest(http.MethodGet, "http://"+serveAddr+"/v1/agents/a1/performance?model=email&range=1w", nil)
		req.Header.Set("Authorization", "Bearer "+admin)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			last = fmt.Sprintf("%d %s", resp.StatusCode, b)
			var p views.Performance
			if resp.StatusCode == 200 && json.Unmarshal(b, &p) == nil && p.Overall.Volume == n {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server never answered volume %d over TLS and SASL; last answer %s", n, last)
		}
		time.Sleep(200 * time.Millisecond)
	}
	cancel()
	for _, d := range dones {
		if err := <-d; err != nil {
			t.Errorf("a part stopped with %v", err)
		}
	}
}
