package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/ingest"
	"github.com/agentpulse/agentpulse/ingest/broker"
	"github.com/agentpulse/agentpulse/processor"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
)

// chaosBrokerFaults runs the pipeline in process (embedded broker, ingest
// handler, processor on the embedded store) and injects broker faults with
// kfake's hooks: produce requests refused (NOT_ENOUGH_REPLICAS) for a
// while, then every fetch delayed for a while. Ingest must answer 503 with
// Retry-After while it cannot store a request (never a 200 it cannot
// keep), a client retrying as told succeeds, and the store ends equal to
// the reference (duplicates left by refused attempts dropped).
func chaosBrokerFaults(t *testing.T) {
	window := 2 * time.Second
	if chaosLong() {
		window = 10 * time.Second
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	quiet := slog.New(slog.DiscardHandler)
	b, err := broker.StartEmbedded(broker.EmbeddedConfig{Addr: "127.0.0.1:0", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	seeds := []string{b.Addr()}
	if err := broker.EnsureTopics(ctx, seeds, broker.Topics{InteractionsPartitions: chaosPartitions, UpdatesPartitions: chaosPartitions}); err != nil {
		t.Fatal(err)
	}
	st := embedded.New()
	proc, err := processor.New(processor.Config{Brokers: seeds, Group: "chaos-faults", FlushInterval: 50 * time.Millisecond, Logger: quiet}, st)
	if err != nil {
		t.Fatal(err)
	}
	procDone := make(chan error, 1)
	go func() { procDone <- proc.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-procDone })
	producer, err := ingest.NewProducer(ingest.ProducerConfig{Brokers: seeds})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(producer.Close)
	secret := []byte("chaos-faults-secret-0123456789abcdef")
	ih, err := ingest.NewHTTPHandler(ingest.HTTPConfig{ProduceTimeout: 300 * time.Millisecond, RetryAfter: time.Second}, producer, auth.Verifier{Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	ih.Routes(r)
	hs := httptest.NewServer(r)
	t.Cleanup(hs.Close)
	tok, err := auth.Mint(secret, auth.Claims{Tenant: "acme", Subject: "chaos-feed", Role: auth.RoleIngest}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}

	feed := simulatedFeed(t)
	// reference.New: the processes run with --learn=false; learned cells in
	// the stores are compared with NewWithOutcomes in processor/learn and,
	// whole-process, in TestProcessLearnsOverClickHouse.
	ref := reference.New(feed, views.DefaultParams())
	var answers503, answersOther int
	// send posts chunk until a 200 accepting all of it, retrying after
	// each 503 or 429 as the Retry-After tells (here 200 ms, faster than
	// told, to keep the test short); it returns the time to success.
	send := func(chunk []schemas.Interaction) time.Duration {
		began := time.Now()
		var body []byte
		for i := range chunk {
			body = append(chunk[i].AppendJSON(body), '\n')
		}
		for {
			req, _ := http.NewRequest(http.MethodPost, hs.URL+ingest.InteractionsPath, bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/x-ndjson")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				Accepted int               `json:"accepted"`
				Rejected []json.RawMessage `json:"rejected"`
				Error    string            `json:"error"`
			}
			err = json.NewDecoder(resp.Body).Decode(&got)
			resp.Body.Close()
			switch {
			case resp.StatusCode == http.StatusOK:
				if err != nil || got.Accepted != len(chunk) || len(got.Rejected) != 0 {
					t.Fatalf("200 accepting %d of %d (rejected %s, %v)", got.Accepted, len(chunk), got.Rejected, err)
				}
				return time.Since(began)
			case resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusTooManyRequests:
				if resp.Header.Get("Retry-After") == "" || got.Error == "" {
					t.Errorf("%d without Retry-After or error: %+v", resp.StatusCode, got)
				}
				if resp.StatusCode == http.StatusServiceUnavailable {
					answers503++
				} else {
					answersOther++
				}
				time.Sleep(200 * time.Millisecond)
			default:
				t.Fatalf("ingest answered %d (%s) under broker faults; want 200, 503 or 429", resp.StatusCode, got.Error)
			}
		}
	}
	const chunks = 12
	size := (len(feed) + chunks - 1) / chunks
	chunk := func(i int) []schemas.Interaction { return feed[i*size : min((i+1)*size, len(feed))] }
	for i := range 3 {
		send(chunk(i))
	}

	// Produce refused for the window: the next chunk gets 503s until the
	// fault is lifted, then a retry succeeds.
	fault := b.Cluster().Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Err: kerr.NotEnoughReplicas, Count: -1})
	var liftedAt atomic.Int64
	lifted := time.AfterFunc(window, func() { fault.Remove(); liftedAt.Store(time.Now().UnixNano()) })
	defer lifted.Stop()
	took := send(chunk(3))
	t.Logf("produce refused for %s: ingest answered 503 %d times (429 %d times: slots still held by abandoned produces), then accepted the chunk %s after the first attempt, %s after the fault was lifted",
		window, answers503, answersOther, took.Round(time.Millisecond), time.Since(time.Unix(0, liftedAt.Load())).Round(time.Millisecond))
	if answers503 == 0 {
		t.Errorf("no 503 while the broker refused produce requests")
	}
	for i := 4; i < 7; i++ {
		send(chunk(i))
	}

	// Every fetch held until the window ends (the processor cannot read;
	// produce and group requests go on): ingest keeps accepting, the
	// processor lags, then drains once fetches are answered again.
	release := make(chan struct{})
	c := b.Cluster()
	var held atomic.Int64
	c.ControlKey(int16(kmsg.Fetch), func(kmsg.Request) (kmsg.Response, error, bool) {
		select {
		case <-release:
			return nil, nil, false
		default:
		}
		c.KeepControl()
		held.Add(1)
		c.SleepControl(func() { <-release })
		return nil, nil, false
	})
	began := time.Now()
	for i := 7; i < chunks; i++ {
		send(chunk(i))
		time.Sleep(window / time.Duration(chunks-7))
	}
	adm := newAdmin(t, b.Addr())
	ends, err := endOffsetsOf(ctx, adm)
	if err != nil {
		t.Fatal(err)
	}
	lagHeld, err := behind(ctx, st, ends)
	if err != nil {
		t.Fatal(err)
	}
	close(release)
	released := time.Now()
	t.Logf("fetches held for %s (%d fetch requests): ingest accepted every chunk meanwhile; the processor lagged %d records", released.Sub(began).Round(time.Millisecond), held.Load(), lagHeld)
	if lagHeld == 0 {
		t.Errorf("no lag while every fetch was held")
	}

	// Lag drains and the store equals the reference.
	var total int64
	for _, e := range ends {
		total += e
	}
	waitFor(t, "consumer lag 0", 60*time.Second, func() bool {
		lag, err := behind(ctx, st, ends)
		return err == nil && lag == 0
	})
	t.Logf("recovered: consumer lag 0 over %d topic records (%d sent; extra ones are duplicates of refused attempts) %s after fetches were answered again",
		total, len(feed), time.Since(released).Round(time.Millisecond))
	if total < int64(len(feed)) {
		t.Errorf("the interactions topic holds %d records, fewer than the %d accepted", total, len(feed))
	}
	checkStoreFigures(t, st, ref)
}
