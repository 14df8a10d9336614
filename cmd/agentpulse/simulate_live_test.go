package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/schemas"
)

func TestSimulateLiveToURL(t *testing.T) {
	var mu sync.Mutex
	var got []schemas.Interaction
	var problems []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer tok-1" || r.Header.Get("Content-Type") != "application/x-ndjson" {
			problems = append(problems, fmt.Sprintf("headers %v", r.Header))
		}
		sc := bufio.NewScanner(r.Body)
		sc.Buffer(nil, 1<<20)
		n := 0
		for sc.Scan() {
			it, err := schemas.DecodeInteraction(sc.Bytes())
			if err != nil {
				problems = append(problems, err.Error())
			}
			got = append(got, it)
			n++
		}
		fmt.Fprintf(w, `{"accepted":%d,"rejected":[]}`, n)
	}))
	defer srv.Close()
	t.Setenv("AGENTPULSE_TOKEN", "tok-1") // the token from the environment, not the command line
	var out bytes.Buffer
	err := runSimulate(context.Background(), []string{"--agents", "20", "--seed", "3", "--rate", "5000", "--count", "300",
		"--to", srv.URL + "/v1/ingest/interactions", "--log-level", "error"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Fatalf("the endpoint saw: %s", strings.Join(problems, "; "))
	}
	ids := map[string]bool{}
	for _, it := range got {
		ids[it.InteractionID] = true
		if !strings.HasPrefix(it.AgentID, "agent-") || time.Since(it.EndedAt) > time.Minute {
			t.Fatalf("record %+v is not a live one", it)
		}
	}
	if len(got) != 300 || len(ids) != 300 || !strings.HasPrefix(out.String(), "sent 300 records (300 interactions") {
		t.Errorf("%d records, %d ids, output %q; want 300", len(got), len(ids), out.String())
	}
}

func TestSimulateLiveToBrokers(t *testing.T) {
	addr := importTestBroker(t)
	var out bytes.Buffer
	err := runSimulate(context.Background(), []string{"--agents", "20", "--rate", "5000", "--count", "250",
		"--brokers", addr, "--log-level", "error"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics("interactions"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	n := 0
	for n < 250 && ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			if _, err := schemas.DecodeInteraction(r.Value); err != nil {
				t.Errorf("invalid record on the topic: %v", err)
			}
			n++
		})
	}
	if n != 250 || !strings.Contains(out.String(), "to "+addr) {
		t.Errorf("%d records on the topic, output %q; want 250", n, out.String())
	}
}

func TestSimulateLiveUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--rate", "10"}, "give --to URL or --brokers"},
		{[]string{"--to", "http://x/v1/ingest/interactions"}, "give --rate too"},
		{[]string{"--count", "5"}, "give --rate too"},
		{[]string{"--rate", "10", "--to", "http://x/", "--out", "f.ndjson"}, "--out"},
		{[]string{"--rate", "-1", "--to", "http://x/"}, "--rate"},
		{[]string{"--rate", "10", "--to", "x:8080"}, "--to"},
		{[]string{"--rate", "10", "--to", "http://x/", "--count", "-2"}, "--count"},
	} {
		_, err := simulate(t, tc.args...)
		if exitCode(err) != 2 || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("simulate %q: err = %v (exit %d), want a usage error containing %q", tc.args, err, exitCode(err), tc.want)
		}
	}
}

func TestSimulateLiveStopsOnRefusal(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":"tenant_id acme is not the token's tenant"}`, http.StatusForbidden)
	}))
	defer srv.Close()
	_, err := simulate(t, "--agents", "5", "--rate", "100", "--to", srv.URL, "--log-level", "error")
	if err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "403") || !strings.Contains(err.Error(), "not the token's tenant") {
		t.Errorf("err = %v, want the 403 and its reason", err)
	}
}
