package clickhouse

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"syscall"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
)

// transientCodes are ClickHouse exception codes worth retrying: the same
// request may succeed once the server has caught up.
var transientCodes = map[int32]bool{
	3:   true, // UNEXPECTED_END_OF_FILE
	32:  true, // ATTEMPT_TO_READ_AFTER_EOF
	159: true, // TIMEOUT_EXCEEDED
	160: true, // TOO_SLOW
	202: true, // TOO_MANY_SIMULTANEOUS_QUERIES
	203: true, // NO_FREE_CONNECTION
	209: true, // SOCKET_TIMEOUT
	210: true, // NETWORK_ERROR
	236: true, // ABORTED
	241: true, // MEMORY_LIMIT_EXCEEDED
	242: true, // TABLE_IS_READ_ONLY (a replica lost its coordinator)
	252: true, // TOO_MANY_PARTS
	285: true, // TOO_FEW_LIVE_REPLICAS
	319: true, // UNKNOWN_STATUS_OF_INSERT
	425: true, // SYSTEM_ERROR
	999: true, // KEEPER_EXCEPTION
}

// Transient reports whether err is worth retrying: a network failure, a
// closed or unavailable connection, or a server exception that says "not
// now" (see transientCodes). Context cancellation and deadline errors are
// not transient: the caller gave up.
func Transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ex *ch.Exception
	if errors.As(err, &ex) {
		return transientCodes[ex.Code]
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, ch.ErrAcquireConnTimeout) ||
		errors.Is(err, ch.ErrConnectionClosed) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne)
}

// retrier runs an operation again on transient errors with exponential
// backoff and jitter. It is immutable and safe for concurrent use.
type retrier struct {
	retries int
	base    time.Duration
	max     time.Duration
	log     func(what string, attempt int, wait time.Duration, err error)
}

// do calls fn until it succeeds, fails with a non-transient error, ctx is
// done, or the retries are used up. fn must start from scratch on every
// call (a fresh driver batch, a fresh query). The error names what failed.
func (r retrier) do(ctx context.Context, what string, fn func(context.Context) error) error {
	for attempt := 0; ; attempt++ {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", what, errors.Join(ctx.Err(), err))
		}
		if !Transient(err) {
			return fmt.Errorf("%s: %w", what, err)
		}
		if attempt >= r.retries {
			return fmt.Errorf("%s: gave up after %d attempts (raise Config.MaxRetries to try longer): %w", what, attempt+1, err)
		}
		wait := r.backoff(attempt)
		if r.log != nil {
			r.log(what, attempt+1, wait, err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%s: %w", what, errors.Join(ctx.Err(), err))
		case <-t.C:
		}
	}
}

// backoff returns the wait before retry attempt+1: base·2^attempt capped at
// max, minus up to half of it at random so that writers retrying together
// spread out.
func (r retrier) backoff(attempt int) time.Duration {
	d := r.base
	for i := 0; i < attempt && d < r.max; i++ {
		d *= 2
	}
	d = min(d, r.max)
	if half := int64(d / 2); half > 0 {
		d -= time.Duration(rand.Int64N(half + 1))
	}
	return d
}
