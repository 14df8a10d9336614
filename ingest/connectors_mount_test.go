package ingest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/ingest/broker"
	"github.com/agentpulse/agentpulse/schemas"
)

// TestConnectorsMountedProduceToBroker delivers an Amazon Connect contact
// record the way Firehose does to the mounted route; the mapped
// interaction must reach the interactions topic of a real broker.
func TestConnectorsMountedProduceToBroker(t *testing.T) {
	b, err := broker.StartEmbedded(broker.EmbeddedConfig{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	if err := broker.EnsureTopics(ctx, []string{b.Addr()}, broker.Topics{}); err != nil {
		t.Fatal(err)
	}
	p, err := NewProducer(ProducerConfig{Brokers: []string{b.Addr()}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := NewConnectors(ConnectorsConfig{CredentialsFile: "testdata/credentials.json"}, p)
	if err != nil || c == nil {
		t.Fatalf("NewConnectors: %v", err)
	}
	r := chi.NewRouter()
	c.Routes(r)

	var ctrs []json.RawMessage
	raw, err := os.ReadFile("connectors/amazonconnect/testdata/voice.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &ctrs); err != nil {
		t.Fatal(err)
	}
	type rec struct {
		Data string `json:"data"`
	}
	env := struct {
		RequestID string `json:"requestId"`
		Timestamp int64  `json:"timestamp"`
		Records   []rec  `json:"records"`
	}{RequestID: "req-1", Timestamp: time.Now().UnixMilli()}
	for _, ctr := range ctrs {
		env.Records = append(env.Records, rec{base64.StdEncoding.EncodeToString(ctr)})
	}
	body, _ := json.Marshal(env)

	post := func(key string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/v1/ingest/amazon-connect", bytes.NewReader(body))
		req.Header.Set("X-Amz-Firehose-Access-Key", key)
		req.Header.Set("X-Amz-Firehose-Request-Id", "req-1")
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		return w
	}
	if w := post("wrong-key-wrong-key-wrong"); w.Code != http.StatusUnauthorized {
		t.Fatalf("wrong access key: %d %s, want 401", w.Code, w.Body)
	}
	if w := post("acme-firehose-access-key-0001"); w.Code != http.StatusOK {
		t.Fatalf("delivery: %d %s, want 200", w.Code, w.Body)
	}

	cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addr()), kgo.ConsumeTopics("interactions"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var got []schemas.Interaction
	for len(got) < len(ctrs) && pctx.Err() == nil {
		cl.PollFetches(pctx).EachRecord(func(r *kgo.Record) {
			it, err := schemas.DecodeInteraction(r.Value)
			if err != nil {
				t.Errorf("record on the topic does not decode: %v", err)
			}
			got = append(got, it)
		})
	}
	byID := map[string]schemas.Interaction{}
	for _, it := range got {
		byID[it.InteractionID] = it
	}
	first := byID["5ca32fbd-8f92-46af-92a5-6b0f970f0efe"]
	if len(got) != len(ctrs) || first.TenantID != "acme" || first.Source != "amazon-connect" || first.HandleTimeS != 300+60+45 {
		t.Fatalf("topic holds %+v, want %d acme amazon-connect interactions, contact 5ca32fbd… with handle time 300+60+45", got, len(ctrs))
	}
}

// TestConnectorsMountedProduceOutcomes posts a Genesys Cloud conversation
// details export to the mounted route; its survey and resolution must reach
// the outcomes topic keyed like their interaction.
func TestConnectorsMountedProduceOutcomes(t *testing.T) {
	b, err := broker.StartEmbedded(broker.EmbeddedConfig{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	if err := broker.EnsureTopics(ctx, []string{b.Addr()}, broker.Topics{}); err != nil {
		t.Fatal(err)
	}
	p, err := NewProducer(ProducerConfig{Brokers: []string{b.Addr()}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := NewConnectors(ConnectorsConfig{CredentialsFile: "testdata/credentials.json"}, p)
	if err != nil || c == nil {
		t.Fatalf("NewConnectors: %v", err)
	}
	r := chi.NewRouter()
	c.Routes(r)
	var steps []struct {
		Event json.RawMessage `json:"event"`
	}
	raw, err := os.ReadFile("connectors/genesys/testdata/details.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &steps); err != nil || len(steps) != 1 {
		t.Fatalf("details.json: %v", err)
	}
	req := httptest.NewRequest("POST", "/v1/ingest/genesys-cloud", bytes.NewReader(steps[0].Event))
	req.Header.Set("X-Agentpulse-Key", "acme-genesys-api-key-0001")
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		t.Fatalf("delivery: %d %s, want 200", w.Code, w.Body)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addr()), kgo.ConsumeTopics("outcomes"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var got []schemas.Outcome
	for len(got) < 4 && pctx.Err() == nil {
		cl.PollFetches(pctx).EachRecord(func(r *kgo.Record) {
			o, err := schemas.DecodeOutcome(r.Value)
			if err != nil {
				t.Errorf("record on the outcomes topic does not decode: %v", err)
			}
			if string(r.Key) != o.TenantID+"/"+o.InteractionID {
				t.Errorf("key %q for %s", r.Key, r.Value)
			}
			got = append(got, o)
		})
	}
	if len(got) != 4 {
		t.Fatalf("outcomes topic holds %d records, want 2 surveys and 2 resolutions", len(got))
	}
}
