package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/ingest/simulator"
	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/views"
)

// TestAllServesOutcomeModels: `agentpulse all` runs the outcome learner:
// interactions and survey answers posted to ingest reach it, and an
// admin's GET /v1/outcome-models answers from it (labels learnt); a
// supervisor is refused; the learned cells reach the store's figures (an
// agent's performance on chat carries a learned psat and pres, basis
// "learned" with its labels); the learner's checkpoint is written on the
// stop; a customer erased through the API leaves the learner's checkpoint.
func TestAllServesOutcomeModels(t *testing.T) {
	secret := "learn-all-test-secret-0123456789abcdef"
	dataDir := t.TempDir()
	httpAddr, brokerAddr := freeAddr(t), freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- runAll(ctx, []string{"--data-dir", dataDir, "--http-addr", httpAddr, "--broker-addr", brokerAddr,
			"--auth-secret", secret, "--partitions", "2", "--api-rate", "-1", "--log-level", "warn"}, io.Discard)
	}()
	base := "http://" + httpAddr
	waitHTTP(t, base+"/healthz", 30*time.Second)

	cfg := simulator.DefaultConfig(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	cfg.Agents, cfg.Days, cfg.Seed, cfg.NoPredictions = 12, 20, 3, true
	g, err := simulator.New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	// Posted batch by batch, as a live feed sends them: survey answers
	// after their interactions, before the next day is sealed.
	ingestTok := mintToken(t, secret, auth.Claims{Tenant: "acme", Subject: "feed", Role: auth.RoleIngest}, time.Hour)
	chatAgent, customer := "", ""
	if _, err := g.Run(ctx, func(b simulator.Batch) error {
		for i := range b.Records {
			if chatAgent == "" && b.Records[i].Model == "chat" {
				chatAgent = b.Records[i].AgentID
			}
			if k := b.Records[i].CustomerKey; k != "" {
				customer = k // one of the last days': in the learner's state
			}
		}
		if len(b.Records) > 0 {
			postInteractions(t, base, ingestTok, b.Records)
		}
		if len(b.Outcomes) > 0 {
			var body []byte
			for i := range b.Outcomes {
				body = append(b.Outcomes[i].AppendJSON(body), '\n')
			}
			if code := post(t, base+"/v1/ingest/outcomes", ingestTok, body); code != http.StatusOK {
				t.Fatalf("POST /v1/ingest/outcomes: %d", code)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	admin := mintToken(t, secret, auth.Claims{Tenant: "acme", Subject: "admin", Role: auth.RoleAdmin}, time.Hour)
	var om views.OutcomeModels
	var lastCode int
	var lastBody []byte
	defer func() {
		if t.Failed() {
			t.Logf("last answer: %d %.600s", lastCode, lastBody)
			_, m := get(t, base+"/metrics", admin)
			for _, l := range bytes.Split(m, []byte("\n")) {
				if bytes.HasPrefix(l, []byte("agentpulse_learn")) {
					t.Logf("%s", l)
				}
			}
		}
	}()
	waitFor(t, "the learner's resolution labels", 20*time.Second, func() bool {
		code, b := get(t, base+"/v1/outcome-models?model=chat", admin)
		lastCode, lastBody = code, b
		if code != http.StatusOK || json.Unmarshal(b, &om) != nil || len(om.Targets) != 2 {
			return false
		}
		return om.Targets[0].Labels > 0 && om.Targets[1].Labels > 0
	})
	var perf views.Performance
	waitFor(t, "learned psat and pres in "+chatAgent+"'s chat performance", 20*time.Second, func() bool {
		code, b := get(t, base+"/v1/agents/"+chatAgent+"/performance?model=chat&range=3m", admin)
		lastCode, lastBody = code, b
		if code != http.StatusOK || json.Unmarshal(b, &perf) != nil {
			return false
		}
		o := perf.Overall
		return o.PSATBasis == outcomes.BasisLearned && o.PRESBasis == outcomes.BasisLearned && o.PSATLabels > 0 && o.PRESLabels > 0
	})
	sup := mintToken(t, secret, auth.Claims{Tenant: "acme", Subject: "lead", Role: auth.RoleSupervisor, Teams: []string{"t"}}, time.Hour)
	if code, b := get(t, base+"/v1/outcome-models?model=chat", sup); code != http.StatusForbidden {
		t.Fatalf("supervisor: %d %s", code, b)
	}
	// A customer's erasure reaches the learner: a checkpoint without the
	// key is written at once (and the stop's is without it too).
	if customer == "" {
		t.Fatal("the simulated feed has no customer key")
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/erasures", bytes.NewReader([]byte(`{"kind":"customer","customer_key":"`+customer+`"}`)))
	req.Header.Set("Authorization", "Bearer "+admin)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /v1/erasures: %d", resp.StatusCode)
	}
	withoutKey := func() bool {
		b, err := os.ReadFile(learnCheckpoint(dataDir))
		return err == nil && len(b) > 0 && !bytes.Contains(b, []byte(customer))
	}
	waitFor(t, "a learner checkpoint without the erased customer's key", 20*time.Second, withoutKey)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("all: %v", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("all did not stop")
	}
	if _, err := os.Stat(learnCheckpoint(dataDir)); err != nil {
		t.Fatalf("no learner checkpoint after the stop: %v", err)
	}
	if !withoutKey() {
		t.Fatalf("the stop's checkpoint holds the erased customer's key %q", customer)
	}
	t.Logf("chat: %d surveys, %d resolution labels learnt; serving %s and %s; %s's chat figures: psat %s from %d labels, pres %s from %d",
		om.Targets[0].Labels, om.Targets[1].Labels, om.Targets[0].Serving, om.Targets[1].Serving,
		chatAgent, perf.Overall.PSATBasis, perf.Overall.PSATLabels, perf.Overall.PRESBasis, perf.Overall.PRESLabels)
}

func post(t *testing.T, url, tok string, body []byte) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func get(t *testing.T, url, tok string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}
