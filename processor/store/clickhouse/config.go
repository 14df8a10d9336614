package clickhouse

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"time"

	"github.com/agentpulse/agentpulse/schemas/ddl"
)

// Defaults applied by Open and Migrate to zero Config fields.
const (
	DefaultAddr            = "127.0.0.1:9000"
	DefaultDatabase        = "agentpulse"
	DefaultUsername        = "default"
	DefaultDialTimeout     = 5 * time.Second
	DefaultReadTimeout     = 5 * time.Minute
	DefaultMaxOpenConns    = 8
	DefaultMaxRetries      = 5
	DefaultRetryBackoff    = 100 * time.Millisecond
	DefaultMaxRetryBackoff = 5 * time.Second
)

// Config configures a ClickHouse store. The zero value connects to a local
// server with the defaults above.
type Config struct {
	// Addr lists host:port addresses of the servers' native protocol (the
	// tcp_port, 9000 by default; HTTP is not used). They are tried in order.
	// Empty means [DefaultAddr].
	Addr []string
	// Database holds agentpulse's tables; Open creates it when missing. It
	// must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*). Empty means
	// DefaultDatabase.
	Database string
	// Username and Password authenticate every connection. Empty Username
	// means DefaultUsername; empty Password means none.
	Username string
	Password string
	// DialTimeout bounds one connection attempt. Zero means
	// DefaultDialTimeout.
	DialTimeout time.Duration
	// ReadTimeout bounds how long one read from the server may wait, so a
	// hung server fails a call instead of blocking it forever (contexts
	// bound it further). Zero means DefaultReadTimeout.
	ReadTimeout time.Duration
	// MaxOpenConns caps the connections to the servers; Apply and every
	// read take one each while they run. Zero means DefaultMaxOpenConns.
	MaxOpenConns int
	// MaxRetries is how many times a failed insert or read is tried again
	// after the first attempt when the error is transient (a network error,
	// a timeout, too many parts, too many simultaneous queries, ...). Zero
	// means DefaultMaxRetries; a negative value disables retries.
	MaxRetries int
	// RetryBackoff is the wait before the first retry; each further retry
	// waits twice as long, up to MaxRetryBackoff, with random jitter of up
	// to half the wait. Zero means DefaultRetryBackoff and
	// DefaultMaxRetryBackoff.
	RetryBackoff    time.Duration
	MaxRetryBackoff time.Duration
	// Compress turns on LZ4 compression of the native protocol: worth it
	// when the server is across a network, a cost on loopback. Default off.
	Compress bool
	// TLS, when not nil, connects over TLS with this configuration (the
	// servers' tcp_port_secure, 9440 by default; RootCAs the CA to trust).
	// Nil: plaintext.
	TLS *tls.Config
	// Cluster, when set, switches to cluster mode: the name of a
	// <remote_servers> cluster of the servers (a plain identifier). Migrate
	// then creates the schema ON CLUSTER as replicated *_local tables behind
	// Distributed tables of the single-node names (see package ddl); Open
	// does not create anything but checks that the tables exist, and
	// connects with the settings Distributed reads and writes need (see
	// clusterSettings). Empty means a single server.
	Cluster string
	// Logger receives retries (warn) and migrations (info). Nil discards.
	Logger *slog.Logger
}

// withDefaults returns c with every zero field set to its default, or an
// error when a field is invalid.
func (c Config) withDefaults() (Config, error) {
	if len(c.Addr) == 0 {
		c.Addr = []string{DefaultAddr}
	}
	if c.Database == "" {
		c.Database = DefaultDatabase
	}
	if err := ddl.CheckDatabaseName(c.Database); err != nil {
		return c, fmt.Errorf("clickhouse config: %w", err)
	}
	if c.Cluster != "" {
		if err := ddl.CheckClusterName(c.Cluster); err != nil {
			return c, fmt.Errorf("clickhouse config: %w", err)
		}
	}
	if c.Username == "" {
		c.Username = DefaultUsername
	}
	if c.DialTimeout <= 0 {
		c.DialTimeout = DefaultDialTimeout
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = DefaultReadTimeout
	}
	if c.MaxOpenConns <= 0 {
		c.MaxOpenConns = DefaultMaxOpenConns
	}
	switch {
	case c.MaxRetries == 0:
		c.MaxRetries = DefaultMaxRetries
	case c.MaxRetries < 0:
		c.MaxRetries = 0
	}
	if c.RetryBackoff <= 0 {
		c.RetryBackoff = DefaultRetryBackoff
	}
	if c.MaxRetryBackoff <= 0 {
		c.MaxRetryBackoff = DefaultMaxRetryBackoff
	}
	if c.MaxRetryBackoff < c.RetryBackoff {
		c.MaxRetryBackoff = c.RetryBackoff
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}
