package ingest

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/ingest/broker"
)

// benchBody is an NDJSON batch of n valid records of tenant acme.
func benchBody(n int) []byte {
	var buf bytes.Buffer
	for i := range n {
		it := interaction("acme", i)
		buf.Write(it.AppendJSON(nil))
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

func benchPost(b *testing.B, h http.Handler, tok string, body []byte) {
	req := httptest.NewRequest(http.MethodPost, InteractionsPath, bytes.NewReader(body))
	req.Header.Set("Content-Type", ndjsonType)
	req.Header.Set("Authorization", "Bearer "+tok)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
}

// BenchmarkIngestNDJSON sends batches of 1,000 records through the real
// handler into the embedded broker, each answered after the broker's
// acknowledgement, one request at a time (Serial) and from several clients
// at once (Parallel). The broker keeps its log in memory (broker=memory),
// in a data directory as `agentpulse all` does (broker=disk), or fsyncs
// every batch before acknowledging it as with --broker-sync
// (broker=disk-fsync).
func BenchmarkIngestNDJSON(b *testing.B) {
	const batch = 1000
	body := benchBody(batch)
	tok := token(b, "acme", auth.RoleIngest)
	for _, kind := range []struct {
		name       string
		disk, sync bool
	}{{"memory", false, false}, {"disk", true, false}, {"disk-fsync", true, true}} {
		b.Run("broker="+kind.name, func(b *testing.B) {
			cfg := broker.EmbeddedConfig{Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler), SyncWrites: kind.sync}
			if kind.disk {
				cfg.DataDir = b.TempDir()
			}
			br, err := broker.StartEmbedded(cfg)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(br.Close)
			r := newRig(b, br, HTTPConfig{})
			benchPost(b, r.h, tok, body) // warm up: metadata, producer id
			b.Run("Serial", func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				start := time.Now()
				for b.Loop() {
					benchPost(b, r.h, tok, body)
				}
				b.ReportMetric(float64(b.N*batch)/time.Since(start).Seconds(), "records/s")
			})
			b.Run("Parallel", func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				b.SetParallelism(2) // 2×GOMAXPROCS clients
				start := time.Now()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						benchPost(b, r.h, tok, body)
					}
				})
				b.ReportMetric(float64(b.N*batch)/time.Since(start).Seconds(), "records/s")
			})
		})
	}
}

// BenchmarkIngestRead measures framing and decoding alone (no broker).
func BenchmarkIngestRead(b *testing.B) {
	const batch = 1000
	body := benchBody(batch)
	h := &HTTPHandler{cfg: HTTPConfig{}.withDefaults()}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		bt := h.pool.get()
		if herr := h.read(bt, bytes.NewReader(body), true, "acme"); herr != nil || len(bt.accepted) != batch {
			b.Fatal(herr)
		}
		h.pool.put(bt)
	}
	b.ReportMetric(float64(b.N*batch)/time.Since(start).Seconds(), "records/s")
}
