package roster_test

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/auth/roster"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

func startCluster(t testing.TB) []string {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()
}

// openLog opens a Log (one "process") and runs it until stop is called
// or the test ends.
func openLog(t testing.TB, brokers []string) (l *roster.Log, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	l, err := roster.Open(ctx, roster.Config{Brokers: brokers})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = l.Run(ctx) }()
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
			l.Close()
		}
	}
	t.Cleanup(stop)
	return l, stop
}

func mint(t testing.TB, c auth.Claims) string {
	t.Helper()
	tok, err := auth.Mint(secret, c, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// waitUntil polls cond every 5 ms for up to 10 s and returns how long it
// took.
func waitUntil(t testing.TB, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("%s: not within 10 s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(start)
}

var boss = auth.Claims{Tenant: "acme", Subject: "boss", Role: auth.RoleAdmin}
