package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/internal/testpki"
	"github.com/agentpulse/agentpulse/kafkasec"
	"github.com/agentpulse/agentpulse/schemas"
)

// secureBroker is kfake over TLS (a certificate of a test CA) with SASL
// (SCRAM-SHA-512 user "svc"); it returns the brokers and the CA file.
func secureBroker(t *testing.T) ([]string, string) {
	t.Helper()
	ca := testpki.NewCA(t, "kafka test CA")
	leaf := ca.Issue(t, "127.0.0.1", "localhost")
	c, err := kfake.NewCluster(kfake.NumBrokers(1),
		kfake.TLS(&tls.Config{Certificates: []tls.Certificate{leaf.TLS}, MinVersion: tls.VersionTLS12}),
		kfake.EnableSASL(), kfake.Superuser(kafkasec.ScramSHA512, "svc", "pw-512"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs(), testpki.Write(t, t.TempDir(), "ca.pem", ca.CertPEM)
}

// TestIngestOverSASLAndTLS runs `agentpulse ingest` against a broker that
// requires TLS and SCRAM-SHA-512: records are accepted and land on the
// interactions topic; `agentpulse process` with a wrong password or
// without the CA stops at start with an error naming the flag.
func TestIngestOverSASLAndTLS(t *testing.T) {
	brokers, caFile := secureBroker(t)
	sec := []string{"--brokers", strings.Join(brokers, ","), "--kafka-tls-ca", caFile,
		"--kafka-sasl-mechanism", "SCRAM-SHA-512", "--kafka-sasl-user", "svc"}
	dataDir, addr := t.TempDir(), freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	t.Setenv("AGENTPULSE_KAFKA_SASL_PASSWORD", "pw-512")
	go func() {
		done <- runIngest(ctx, append([]string{"--http-addr", addr, "--data-dir", dataDir, "--log-level", "error"}, sec...), io.Discard)
	}()
	base := "http://" + addr
	waitReady(t, base)
	tok, err := mintCmd(t, "--tenant", "acme", "--sub", "feed", "--role", "ingest", "--data-dir", dataDir)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	it := schemas.Interaction{TenantID: "acme", InteractionID: "tls-1", Revision: 1, Model: "email", AgentID: "a1",
		TeamID: "t1", Inquiry: "billing", StartedAt: start, EndedAt: start.Add(time.Minute), HandleTimeS: 60, Source: "api"}
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/ingest/interactions", bytes.NewReader(append(it.AppendJSON(nil), '\n')))
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"accepted":1`) {
		t.Fatalf("ingest over SASL and TLS: %d %s", resp.StatusCode, body)
	}
	opts, err := kafkasec.Config{CAFile: caFile, Mechanism: kafkasec.ScramSHA512, User: "svc", Password: "pw-512"}.Opts()
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...), kgo.ConsumeTopics("interactions")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	pctx, pcancel := context.WithTimeout(ctx, 10*time.Second)
	defer pcancel()
	if fs := cl.PollFetches(pctx); len(fs.Records()) != 1 || !bytes.Contains(fs.Records()[0].Value, []byte(`"tls-1"`)) {
		t.Fatalf("the interactions topic holds %d records (%v)", len(fs.Records()), fs.Errors())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("runIngest: %v", err)
	}

	for _, tc := range []struct {
		name, password, ca, flag string
	}{
		{"wrong password", "wrong", caFile, "--kafka-sasl-password"},
		{"untrusted certificate", "pw-512", "", "--kafka-tls-ca"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("AGENTPULSE_KAFKA_SASL_PASSWORD", tc.password)
			args := []string{"--brokers", strings.Join(brokers, ","), "--kafka-tls", "--kafka-sasl-mechanism", "SCRAM-SHA-512", "--kafka-sasl-user", "svc",
				"--store", "embedded", "--log-level", "error"}
			if tc.ca != "" {
				args = append(args, "--kafka-tls-ca", tc.ca)
			}
			pctx, pcancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer pcancel()
			err := runProcess(pctx, args, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.flag) {
				t.Fatalf("process: %v, want an error naming %s", err, tc.flag)
			}
		})
	}
}
