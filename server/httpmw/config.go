package httpmw

import (
	"log/slog"
	"net/netip"

	"github.com/prometheus/client_golang/prometheus"
)

// Defaults of Config.
const (
	// DefaultRatePerSecond is the requests per second one caller may make.
	// A dashboard page loads a handful of resources; a wallboard refreshes
	// a few a second at most.
	DefaultRatePerSecond = 50
	// DefaultMaxBodyBytes bounds a request body (plan bodies are a few KB).
	DefaultMaxBodyBytes = 64 << 10
)

// Config configures New. The zero value of every field means its default.
type Config struct {
	// RatePerSecond is how many requests one caller (one bearer token, or
	// one IP address without a token) may make per second; more are
	// answered 429 naming RateFlag. Default DefaultRatePerSecond (50);
	// negative turns the limit off.
	RatePerSecond int
	// MaxBodyBytes bounds a request body in bytes; a larger one is
	// answered 413 naming BodyFlag. Default DefaultMaxBodyBytes (64 KiB).
	MaxBodyBytes int64
	// TrustedProxies are the reverse proxies (load balancers, ingress)
	// whose X-Forwarded-For is believed when keying callers without a
	// token by address (clientIP). Empty: the connection's peer.
	TrustedProxies []netip.Prefix
	// RateFlag and BodyFlag are the command-line flags that raise the
	// limits, named in refusals so an operator knows what to change.
	// Defaults "--api-rate" and "--api-max-body-bytes".
	RateFlag, BodyFlag string
	// Registerer receives the metrics (metrics.go). Nil: none.
	Registerer prometheus.Registerer
	// Logger receives nothing per request; it is kept for refusals worth
	// an operator's attention. Nil: discard.
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.RatePerSecond == 0 {
		c.RatePerSecond = DefaultRatePerSecond
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.RateFlag == "" {
		c.RateFlag = "--api-rate"
	}
	if c.BodyFlag == "" {
		c.BodyFlag = "--api-max-body-bytes"
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}
