package ingest

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/server/auth"
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
// handler into an in-memory embedded broker, each answered after the
// durable acknowledgement, one request at a time and (Parallel) from
// several clients at once.
func BenchmarkIngestNDJSON(b *testing.B) {
	const batch = 1000
	body := benchBody(batch)
	br := startBroker(b)
	r := newRig(b, br, HTTPConfig{})
	tok := token(b, "acme", auth.RoleIngest)
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
