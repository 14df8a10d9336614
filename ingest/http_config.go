package ingest

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/agentpulse/agentpulse/schemas"
)

// Defaults of HTTPConfig.
const (
	DefaultMaxBodyBytes   = 32 << 20 // bytes of one request body
	DefaultMaxRecords     = 50_000   // records of one request
	DefaultMaxRecordBytes = 1 << 20  // bytes of one record
	DefaultMaxInFlight    = 8        // requests decoded or producing at once
	DefaultProduceTimeout = 10 * time.Second
	DefaultRetryAfter     = 2 * time.Second
)

// HTTPConfig configures the HTTP ingest endpoint. The zero value of every
// field means its default.
type HTTPConfig struct {
	// MaxBodyBytes bounds one request body, in bytes, as sent and, for a
	// gzip body, once decompressed. A longer body is refused whole with 413
	// naming --max-body-bytes. Default 32 MiB.
	MaxBodyBytes int64
	// MaxRecords bounds the records of one request. A request with more is
	// refused whole with 413 naming --max-records. Default 50,000.
	MaxRecords int
	// MaxRecordBytes bounds one record (an NDJSON line or an array
	// element), in bytes. A larger record is rejected (the others go on)
	// naming --max-record-bytes. Default 1 MiB.
	MaxRecordBytes int
	// MaxInFlight bounds the requests being decoded or produced at once,
	// and with MaxBodyBytes the memory they hold. A request beyond it is
	// answered 429 with Retry-After naming --max-inflight. Default 8.
	MaxInFlight int
	// ProduceTimeout bounds the wait for the broker's durable
	// acknowledgement; past it the request is answered 503 with
	// Retry-After. Default 10 s.
	ProduceTimeout time.Duration
	// RetryAfter is the Retry-After of 429 and 503 answers, rounded up to
	// whole seconds. Default 2 s.
	RetryAfter time.Duration
	// Registerer receives the endpoint's metrics (metrics.go). Nil: none.
	Registerer prometheus.Registerer
	// Logger receives one line per request that fails on the server's
	// side (503). Nil: discard.
	Logger *slog.Logger
}

// withDefaults fills the zero fields.
func (c HTTPConfig) withDefaults() HTTPConfig {
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.MaxRecords <= 0 {
		c.MaxRecords = DefaultMaxRecords
	}
	if c.MaxRecordBytes <= 0 {
		c.MaxRecordBytes = DefaultMaxRecordBytes
	}
	if c.MaxInFlight <= 0 {
		c.MaxInFlight = DefaultMaxInFlight
	}
	if c.ProduceTimeout <= 0 {
		c.ProduceTimeout = DefaultProduceTimeout
	}
	if c.RetryAfter <= 0 {
		c.RetryAfter = DefaultRetryAfter
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Sink keeps what the endpoint accepts and rejects; *Producer is one.
// Both methods return only once the records are durably acknowledged, and
// must be safe for concurrent use.
type Sink interface {
	// Produce writes accepted interactions to the interactions topic.
	Produce(ctx context.Context, its []schemas.Interaction) error
	// DeadLetter writes rejected records, with their reason, to the
	// dead-letter topic.
	DeadLetter(ctx context.Context, rs []Rejected) error
}

var _ Sink = (*Producer)(nil)

// OutcomeSink keeps outcome records; *Producer is one. A Sink that is also
// an OutcomeSink gets POST /v1/ingest/outcomes beside the interactions
// endpoint. ProduceOutcomes returns only once the records are durably
// acknowledged, and must be safe for concurrent use.
type OutcomeSink interface {
	// ProduceOutcomes writes accepted outcomes to the outcomes topic.
	ProduceOutcomes(ctx context.Context, os []schemas.Outcome) error
}

var _ OutcomeSink = (*Producer)(nil)
