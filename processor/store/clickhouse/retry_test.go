package clickhouse

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
)

func TestTransient(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"too many parts", &ch.Exception{Code: 252}, true},
		{"wrapped timeout", fmt.Errorf("x: %w", &ch.Exception{Code: 159}), true},
		{"memory limit", &ch.Exception{Code: 241}, true},
		{"syntax error", &ch.Exception{Code: 62}, false},
		{"unknown table", &ch.Exception{Code: 60}, false},
		{"type mismatch", &ch.Exception{Code: 53}, false},
		{"eof", io.EOF, true},
		{"unexpected eof", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
		{"bad conn", driver.ErrBadConn, true},
		{"refused", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, true},
		{"reset", fmt.Errorf("write: %w", syscall.ECONNRESET), true},
		{"acquire timeout", ch.ErrAcquireConnTimeout, true},
		{"canceled", context.Canceled, false},
		{"deadline", fmt.Errorf("q: %w", context.DeadlineExceeded), false},
		{"invalid batch", ErrInvalidBatch, false},
		{"plain", errors.New("boom"), false},
	} {
		if got := Transient(tc.err); got != tc.want {
			t.Errorf("%s: Transient(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}

func TestBackoffBounds(t *testing.T) {
	r := retrier{base: 100 * time.Millisecond, max: time.Second}
	for attempt := range 12 {
		full := min(r.base<<attempt, r.max)
		for range 200 {
			d := r.backoff(attempt)
			if d < full/2 || d > full {
				t.Fatalf("backoff(%d) = %v, want in [%v, %v]", attempt, d, full/2, full)
			}
		}
	}
}

func TestRetrierDo(t *testing.T) {
	transient := &ch.Exception{Code: 252, Message: "too many parts"}
	permanent := &ch.Exception{Code: 62, Message: "syntax"}
	r := retrier{retries: 3, base: time.Microsecond, max: time.Microsecond}
	for _, tc := range []struct {
		name      string
		fails     []error // errors of successive calls, then success
		wantCalls int
		wantErr   error
	}{
		{"success", nil, 1, nil},
		{"transient then success", []error{transient, transient}, 3, nil},
		{"permanent", []error{permanent}, 1, permanent},
		{"exhausted", []error{transient, transient, transient, transient, transient}, 4, transient},
	} {
		calls := 0
		err := r.do(context.Background(), "insert buckets", func(context.Context) error {
			calls++
			if calls <= len(tc.fails) {
				return tc.fails[calls-1]
			}
			return nil
		})
		if calls != tc.wantCalls {
			t.Errorf("%s: %d calls, want %d", tc.name, calls, tc.wantCalls)
		}
		if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.wantErr)
		}
		if err != nil && err.Error()[:len("insert buckets: ")] != "insert buckets: " {
			t.Errorf("%s: error %q does not name what failed", tc.name, err)
		}
	}
}

func TestRetrierStopsOnCancel(t *testing.T) {
	r := retrier{retries: 100, base: time.Hour, max: time.Hour}
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	done := make(chan error)
	go func() {
		done <- r.do(ctx, "insert interactions", func(context.Context) error {
			calls++
			return io.EOF
		})
	}()
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) || !errors.Is(err, io.EOF) {
		t.Errorf("err = %v, want both the cancellation and the last error", err)
	}
	if calls != 1 {
		t.Errorf("%d calls, want 1", calls)
	}
}
