package connectors

import (
	"errors"
	"fmt"
	"net/http"
)

var (
	// ErrUnauthenticated is returned (wrapped) by Authenticate when a
	// delivery carries no credential, an unknown one or a wrong signature.
	// The HTTP layer answers 401 and keeps nothing.
	ErrUnauthenticated = errors.New("unauthenticated delivery")

	// ErrMalformed is returned (wrapped) by Map, and by Authenticate after
	// the credential was accepted, for a delivery that cannot be parsed at
	// all: not the platform's envelope, bad JSON, a header that contradicts
	// the body. The HTTP layer answers 400 and keeps nothing.
	ErrMalformed = errors.New("malformed delivery")

	// ErrUnmappable is matched by Result.Err: a well-authenticated record
	// that cannot become a valid interaction. The caller keeps it on the
	// dead-letter topic with the error text as the reason.
	ErrUnmappable = errors.New("unmappable record")

	// ErrTooLarge is returned by the Handler for a body (before or after
	// gzip decompression) longer than HandlerConfig.MaxBodyBytes; the
	// answer is 413, which Amazon Data Firehose treats as final.
	ErrTooLarge = errors.New("delivery too large")

	// ErrUnavailable is returned by the Handler when its Sink failed: the
	// results were not kept and the platform should retry (503).
	ErrUnavailable = errors.New("results could not be kept")

	// ErrBusy is returned by the Handler for a delivery beyond its
	// in-flight bound (HandlerConfig.InFlight): nothing was read or kept
	// and the platform should retry (429 with Retry-After).
	ErrBusy = errors.New("too many deliveries at once")
)

// unmappable wraps err so that it matches ErrUnmappable, once.
func unmappable(err error) error {
	if err == nil || errors.Is(err, ErrUnmappable) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnmappable, err)
}

// malformed returns an error matching ErrMalformed with the given detail.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

// Malformed returns an error matching [ErrMalformed]: "malformed delivery:
// " and the formatted detail (which may wrap a cause with %w).
func Malformed(format string, args ...any) error { return malformed(format, args...) }

// Unauthenticated returns an error matching [ErrUnauthenticated] with a
// detail for logs. The detail must not contain the presented secret.
func Unauthenticated(detail string) error {
	return fmt.Errorf("%w: %s", ErrUnauthenticated, detail)
}

// StatusFor is the HTTP status for the outcome of a delivery: 200 for nil,
// 401 for [ErrUnauthenticated], 429 for [ErrBusy], 413 for [ErrTooLarge], 400 for
// [ErrMalformed], 503 for [ErrUnavailable] and 500 for anything else.
func StatusFor(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ErrUnauthenticated):
		return http.StatusUnauthorized
	case errors.Is(err, ErrBusy):
		return http.StatusTooManyRequests
	case errors.Is(err, ErrTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, ErrMalformed):
		return http.StatusBadRequest
	case errors.Is(err, ErrUnavailable):
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}
