package genesys_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/ingest/connectors/genesys"
)

// BenchmarkJoin maps a user.end and its acw (two deliveries, two
// interactions emitted) per iteration.
func BenchmarkJoin(b *testing.B) {
	c := newConnector(b, genesys.JoinerConfig{Timeout: time.Minute, MaxPending: 10_000})
	const n = 1024
	ends, acws := make([][]byte, n), make([][]byte, n)
	for i := range ends {
		id := fmt.Sprintf("conv-%d", i)
		ends[i], acws[i] = userEnd(id, "p", 1772442945000, 300_000, 20_000), acw(id, "p", 30_000)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(ends[0]) + len(acws[0])))
	i := 0
	for b.Loop() {
		now := t0.Add(time.Duration(i) * time.Second)
		if _, err := c.Map("acme", ends[i%n], now); err != nil {
			b.Fatal(err)
		}
		if _, err := c.Map("acme", acws[i%n], now); err != nil {
			b.Fatal(err)
		}
		if i%n == n-1 {
			c.Expire(now.Add(time.Hour))
		}
		i++
	}
}
