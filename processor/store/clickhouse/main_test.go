package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store/clickhouse/chtest"
)

// One throwaway server serves the whole test binary (tests and benchmarks);
// each test opens its own database on it.
var (
	serverAddr string // empty when no server could be had
	serverErr  error  // why, then
	dbSeq      atomic.Int64
)

func TestMain(m *testing.M) {
	code := func() int {
		if addr := os.Getenv("AGENTPULSE_TEST_CLICKHOUSE_ADDR"); addr != "" {
			serverAddr = addr
			return m.Run()
		}
		dir, err := os.MkdirTemp("", "agentpulse-clickhouse-")
		if err != nil {
			serverErr = err
			return m.Run()
		}
		defer os.RemoveAll(dir)
		srv, err := chtest.StartServer(dir)
		if err != nil {
			serverErr = err
			return m.Run()
		}
		defer srv.Close()
		serverAddr = srv.Addr
		return m.Run()
	}()
	os.Exit(code)
}

// needServer returns the shared server's address, or skips tb (fails it
// when real services are required, see chtest.Required).
func needServer(tb testing.TB) string {
	tb.Helper()
	if serverAddr != "" {
		return serverAddr
	}
	if errors.Is(serverErr, chtest.ErrNoBinary) && !chtest.Required() {
		tb.Skipf("skipping: %v", serverErr)
	}
	tb.Fatalf("start clickhouse: %v", serverErr)
	return ""
}

// newDatabase returns a database name no other test of this run uses.
func newDatabase(tb testing.TB) string {
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, tb.Name())
	if len(name) > 40 {
		name = name[len(name)-40:]
	}
	return fmt.Sprintf("t%d_%d_%s", os.Getpid(), dbSeq.Add(1), name)
}

// testConfig is a Config for database on the shared server with quick
// retries.
func testConfig(tb testing.TB, database string) Config {
	return Config{
		Addr:            []string{needServer(tb)},
		Database:        database,
		RetryBackoff:    10 * time.Millisecond,
		MaxRetryBackoff: 100 * time.Millisecond,
		Logger:          slog.New(slog.NewTextHandler(testWriter{tb}, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
}

// testWriter sends log lines to the test's log.
type testWriter struct{ tb testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.tb.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// openStore opens a store on a fresh database, closed when tb ends.
func openStore(tb testing.TB, database string) *Store {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Open(ctx, testConfig(tb, database))
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}
