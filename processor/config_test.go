package processor

import (
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/processor/store/embedded"
)

// TestFetchMaxWaitBoundsTakeover checks the consumer's fetch wait: the
// partitions a processor takes over from a killed one are fetched only
// once the fetch in flight returns, which franz-go lets the broker hold
// for 5 s by default. The multi-process test (cmd/agentpulse) measured a
// takeover's catch-up go from about 4.3 s to 0.5 s with 500 ms.
func TestFetchMaxWaitBoundsTakeover(t *testing.T) {
	for _, tc := range []struct {
		set, want time.Duration
	}{{0, 500 * time.Millisecond}, {2 * time.Second, 2 * time.Second}} {
		p, err := New(Config{Brokers: []string{"127.0.0.1:1"}, FetchMaxWait: tc.set, Logger: quietLogger()}, embedded.New())
		if err != nil {
			t.Fatal(err)
		}
		got := p.client.OptValue(kgo.FetchMaxWait)
		p.client.Close()
		if got != tc.want {
			t.Errorf("FetchMaxWait %v: the client waits %v, want %v", tc.set, got, tc.want)
		}
	}
}
