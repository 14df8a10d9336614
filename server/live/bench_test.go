package live_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/auth"
)

// BenchmarkFreshness measures ingest accepted (the HTTP 200 of POST
// /v1/ingest/interactions) → score message received on a websocket, over
// the embedded pipeline, with one interaction per request sent at 1,000
// per second to 100 agents. An admin subscribed to wallboard:voice
// receives every score. Reports p50, p99 and max in milliseconds.
func BenchmarkFreshness(b *testing.B) {
	p := startPipeline(b)
	c := p.dial(b, auth.Claims{Tenant: "acme", Subject: "boss", Role: auth.RoleAdmin})
	subscribe(b, c, "wallboard:voice")
	// Warm up until the feed is positioned and delivering.
	for deadline := time.Now().Add(30 * time.Second); ; {
		_, body := p.interaction("warm", "team-0")
		p.post(b, body)
		_ = c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		var m serverMsg
		if err := c.ReadJSON(&m); err == nil {
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("no score within 30 s")
		}
		c = p.dial(b, auth.Claims{Tenant: "acme", Subject: "boss", Role: auth.RoleAdmin})
		subscribe(b, c, "wallboard:voice")
	}
	var mu sync.Mutex
	accepted := map[string]time.Time{}
	received := map[string]time.Time{}
	n := b.N
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		for {
			_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
			var m serverMsg
			if err := c.ReadJSON(&m); err != nil {
				return
			}
			now := time.Now()
			if m.Data.Agent == "warm" {
				continue // a late warm-up score
			}
			mu.Lock()
			for _, it := range m.Data.Interactions {
				if _, ok := received[it.ID]; !ok {
					received[it.ID] = now
				}
			}
			done := len(received) >= n
			mu.Unlock()
			if done {
				return
			}
		}
	}()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	sem := make(chan struct{}, 128)
	var wg sync.WaitGroup
	for i := range n {
		if d := time.Until(start.Add(time.Duration(i) * time.Millisecond)); d > 0 {
			time.Sleep(d)
		}
		id, body := p.interaction(fmt.Sprintf("ag-%03d", i%100), fmt.Sprintf("team-%d", i%10))
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.post(b, body)
			now := time.Now()
			mu.Lock()
			accepted[id] = now
			mu.Unlock()
			<-sem
		}()
	}
	wg.Wait()
	sent := time.Since(start)
	select {
	case <-readDone:
	case <-time.After(15 * time.Second):
	}
	b.StopTimer()
	mu.Lock()
	defer mu.Unlock()
	lat := make([]float64, 0, n)
	missing := 0
	for id, at := range accepted {
		r, ok := received[id]
		if !ok {
			missing++
			continue
		}
		lat = append(lat, max(0, r.Sub(at).Seconds()*1000))
	}
	if len(lat) == 0 {
		b.Fatalf("no score message for %d interactions", n)
	}
	slices.Sort(lat)
	q := func(f float64) float64 { return lat[min(len(lat)-1, int(f*float64(len(lat))))] }
	b.ReportMetric(q(0.50), "p50_ms")
	b.ReportMetric(q(0.99), "p99_ms")
	b.ReportMetric(lat[len(lat)-1], "max_ms")
	b.ReportMetric(float64(n)/sent.Seconds(), "sent/s")
	b.ReportMetric(float64(missing), "missing")
}
