package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/agentpulse/agentpulse/ingest/broker"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/server/auth"
)

// outcomeLine returns a valid survey outcome of tenant about interaction i.
func outcomeLine(tenant string, i int) string {
	o := schemas.Outcome{TenantID: tenant, OutcomeID: fmt.Sprintf("s-%d", i), Revision: 1,
		InteractionID: fmt.Sprintf("c-%06d", i), Kind: schemas.OutcomeSurvey,
		ObservedAt: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC), Survey: &schemas.Survey{Score: 4, ScaleMin: 1, ScaleMax: 5}}
	return string(o.AppendJSON(nil))
}

// outcomeRig is a handler producing into fresh interactions, outcomes and
// dead-letter topics of equal partition counts, served through its router.
type outcomeRig struct {
	rig
	outcomes string
	router   chi.Router
}

func newOutcomeRig(t *testing.T, b *broker.Embedded) *outcomeRig {
	t.Helper()
	n := topicSeq.Add(1)
	topics := broker.Topics{Interactions: fmt.Sprintf("interactions-%d", n), DeadLetter: fmt.Sprintf("dlq-%d", n),
		Outcomes: fmt.Sprintf("outcomes-%d", n), InteractionsPartitions: 5, Updates: fmt.Sprintf("updates-%d", n)}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := broker.EnsureTopics(ctx, []string{b.Addr()}, topics); err != nil {
		t.Fatal(err)
	}
	p, err := NewProducer(ProducerConfig{Brokers: []string{b.Addr()}, Topic: topics.Interactions,
		DeadLetterTopic: topics.DeadLetter, OutcomesTopic: topics.Outcomes})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	h, err := NewHTTPHandler(HTTPConfig{}, p, testVerifier)
	if err != nil {
		t.Fatal(err)
	}
	router := chi.NewRouter()
	h.Routes(router)
	return &outcomeRig{rig: rig{h: h, p: p, addr: b.Addr(), interactions: topics.Interactions, dlq: topics.DeadLetter},
		outcomes: topics.Outcomes, router: router}
}

func (r *outcomeRig) postTo(t *testing.T, path, contentType, tok string, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	rec := httptest.NewRecorder()
	r.router.ServeHTTP(rec, req)
	return rec
}

// TestIngestOutcomes: valid outcomes reach the outcomes topic keyed by
// tenant/interaction_id, in the partition of their interaction; invalid
// ones are answered with the field and rule and kept on the dead-letter
// topic; nothing reaches the interactions topic.
func TestIngestOutcomes(t *testing.T) {
	b := startBroker(t)
	r := newOutcomeRig(t, b)
	acme := token(t, "acme", auth.RoleIngest)
	bad := strings.Replace(outcomeLine("acme", 3), `"score":4`, `"score":9`, 1)
	noKind := strings.Replace(outcomeLine("acme", 4), `"kind":"survey",`, ``, 1)
	body := ndjson(outcomeLine("acme", 1), bad, outcomeLine("globex", 5), noKind,
		`{"tenant_id":"acme","outcome_id":"r-2","interaction_id":"c-000002","kind":"resolution","observed_at":"2026-11-26T10:00:00Z","resolution":{"resolved":false,"rule":"genesys-nca"}}`)
	rec := r.postTo(t, OutcomesPath, ndjsonType, acme, body)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var resp InteractionsResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.Accepted != 2 || len(resp.Rejected) != 3 {
		t.Fatalf("answer %s", rec.Body)
	}
	want := []Rejection{
		{Index: 1, Line: 2, Field: "survey.score", Rule: string(schemas.RuleOrder), Error: "must be on the scale 1 to 5, got 9"},
		{Index: 2, Line: 3, Field: "tenant_id", Rule: RuleTenant},
		{Index: 3, Line: 4, Field: "kind", Rule: string(schemas.RuleRequired), Error: "is required"},
	}
	for i, w := range want {
		g := resp.Rejected[i]
		if g.Index != w.Index || g.Line != w.Line || g.Field != w.Field || g.Rule != w.Rule || !strings.HasPrefix(g.Error, w.Error) {
			t.Errorf("rejection %d = %+v, want %+v", i, g, w)
		}
	}
	outs := readTopic(t, r.addr, r.outcomes)
	if len(outs) != 2 {
		t.Fatalf("%d records on the outcomes topic, want 2", len(outs))
	}
	for _, rec := range outs {
		o, err := schemas.DecodeOutcome(rec.Value)
		if err != nil {
			t.Fatalf("outcome on the topic does not decode: %v", err)
		}
		if string(rec.Key) != "acme/"+o.InteractionID {
			t.Errorf("key %q for interaction %s", rec.Key, o.InteractionID)
		}
	}
	dead := readTopic(t, r.addr, r.dlq)
	if len(dead) != 3 {
		t.Fatalf("%d dead letters, want 3", len(dead))
	}
	for _, d := range dead {
		if header(d, "stage") != "ingest-outcomes" || header(d, "tenant") != "acme" || header(d, "reason") == "" {
			t.Errorf("dead letter headers %v", d.Headers)
		}
	}
	if n := len(readTopic(t, r.addr, r.interactions)); n != 0 {
		t.Errorf("%d records on the interactions topic", n)
	}

	// An interaction sent with the same key lands in the same partition
	// number as its outcome.
	rec = r.postTo(t, InteractionsPath, ndjsonType, acme, ndjson(line("acme", 1), line("acme", 2)))
	if rec.Code != 200 {
		t.Fatalf("interactions: %d %s", rec.Code, rec.Body)
	}
	parts := map[string]int32{}
	for _, rec := range readTopic(t, r.addr, r.interactions) {
		parts[string(rec.Key)] = rec.Partition
	}
	for _, rec := range outs {
		if p, ok := parts[string(rec.Key)]; !ok || p != rec.Partition {
			t.Errorf("outcome %s in partition %d, its interaction in %d (found %v)", rec.Key, rec.Partition, p, ok)
		}
	}
}

func TestIngestOutcomesRefusals(t *testing.T) {
	b := startBroker(t)
	r := newOutcomeRig(t, b)
	for _, tc := range []struct {
		name, tok, contentType string
		body                   []byte
		status                 int
		errContains            string
	}{
		{"array of one", token(t, "acme", auth.RoleAdmin), "application/json", array(outcomeLine("acme", 1)), 200, ""},
		{"agent token", token(t, "acme", auth.RoleAgent), ndjsonType, ndjson(outcomeLine("acme", 1)), 403, "role agent"},
		{"no token", "", ndjsonType, ndjson(outcomeLine("acme", 1)), 401, ""},
		{"not JSON", token(t, "acme", auth.RoleIngest), ndjsonType, []byte("hello\n"), 400, "not NDJSON"},
		{"not an array", token(t, "acme", auth.RoleIngest), "application/json", []byte(outcomeLine("acme", 1)), 400, "x-ndjson"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := r.postTo(t, OutcomesPath, tc.contentType, tc.tok, tc.body)
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.errContains) {
				t.Errorf("status %d %s, want %d containing %q", rec.Code, rec.Body, tc.status, tc.errContains)
			}
		})
	}
}
