package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/ingest/broker"
	"github.com/agentpulse/agentpulse/schemas"
)

// testSecret signs the tests' tokens.
var testSecret = []byte("ingest-test-secret-of-32-bytes!!")

var testVerifier = auth.Verifier{Secret: testSecret}

// token mints a token for tenant with role.
func token(t testing.TB, tenant string, role auth.Role) string {
	t.Helper()
	tok, err := auth.Mint(testSecret, auth.Claims{Tenant: tenant, Subject: "feed", Role: role}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// startBroker starts an in-memory embedded broker for the test.
func startBroker(t testing.TB) *broker.Embedded {
	t.Helper()
	b, err := broker.StartEmbedded(broker.EmbeddedConfig{Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

var topicSeq atomic.Int64

// testTopics creates a fresh interactions and dead-letter topic pair.
func testTopics(t testing.TB, addr string) (interactions, dlq string) {
	t.Helper()
	n := topicSeq.Add(1)
	interactions, dlq = fmt.Sprintf("interactions-%d", n), fmt.Sprintf("dlq-%d", n)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := broker.EnsureTopics(ctx, []string{addr}, broker.Topics{Interactions: interactions, DeadLetter: dlq})
	if err != nil {
		t.Fatal(err)
	}
	return interactions, dlq
}

// rig is a handler producing into fresh topics of a broker.
type rig struct {
	h            *HTTPHandler
	p            *Producer
	addr         string
	interactions string
	dlq          string
}

func newRig(t testing.TB, b *broker.Embedded, cfg HTTPConfig) *rig {
	t.Helper()
	in, dlq := testTopics(t, b.Addr())
	p, err := NewProducer(ProducerConfig{Brokers: []string{b.Addr()}, Topic: in, DeadLetterTopic: dlq})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	h, err := NewHTTPHandler(cfg, p, testVerifier)
	if err != nil {
		t.Fatal(err)
	}
	return &rig{h: h, p: p, addr: b.Addr(), interactions: in, dlq: dlq}
}

// post sends body through the handler and returns the recorded answer.
func (r *rig) post(t testing.TB, contentType, tok string, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, InteractionsPath, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	rec := httptest.NewRecorder()
	r.h.ServeHTTP(rec, req)
	return rec
}

// interaction returns a valid interaction of tenant, numbered i.
func interaction(tenant string, i int) schemas.Interaction {
	psat, pres := 0.8, 0.9
	start := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
	refs, err := schemas.MakeSourceRefs(map[string]string{"contact_id": fmt.Sprintf("ct-%d", i)})
	if err != nil {
		panic(err)
	}
	return schemas.Interaction{
		TenantID: tenant, InteractionID: fmt.Sprintf("c-%06d", i), Revision: 1, Model: "voice",
		AgentID: fmt.Sprintf("a%d", i%7), TeamID: "t1", Inquiry: "billing",
		StartedAt: start, EndedAt: start.Add(5 * time.Minute), HandleTimeS: 300,
		PredictedSatisfaction: &psat, PredictedResolution: &pres, Source: "api",
		SourceRefs: refs,
	}
}

// line returns interaction(tenant, i) as JSON.
func line(tenant string, i int) string {
	it := interaction(tenant, i)
	return string(it.AppendJSON(nil))
}

// ndjson joins records into an NDJSON body.
func ndjson(lines ...string) []byte { return []byte(strings.Join(lines, "\n") + "\n") }

// array joins records into a JSON array body.
func array(elems ...string) []byte { return []byte("[" + strings.Join(elems, ",") + "]") }

// readTopic returns every record of topic (none when it does not exist),
// sorted by value.
func readTopic(t testing.TB, addr, topic string) []*kgo.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ends, err := kadm.NewClient(cl).ListEndOffsets(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	if err := ends.Error(); err != nil {
		if errors.Is(err, kerr.UnknownTopicOrPartition) {
			return nil
		}
		t.Fatal(err)
	}
	var want int64
	ends.Each(func(o kadm.ListedOffset) { want += o.Offset })
	if want == 0 {
		return nil
	}
	cons, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	var out []*kgo.Record
	for int64(len(out)) < want {
		fs := cons.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("read %s: %d of %d records: %v", topic, len(out), want, err)
		}
		fs.EachRecord(func(r *kgo.Record) { out = append(out, r) })
	}
	sort.Slice(out, func(i, j int) bool { return bytes.Compare(out[i].Value, out[j].Value) < 0 })
	return out
}

// header returns the value of a record header.
func header(r *kgo.Record, key string) string {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}
