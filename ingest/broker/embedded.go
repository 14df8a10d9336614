package broker

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// EmbeddedConfig configures the embedded broker.
type EmbeddedConfig struct {
	// Addr is where the broker listens (host:port). Default
	// "127.0.0.1:9092"; port 0 picks a free one.
	Addr string
	// DataDir keeps the log across restarts. Empty keeps it in memory only
	// (tests).
	DataDir string
	// SyncWrites fsyncs every produced batch before acknowledging it, so
	// an acknowledged record survives a power loss, not only a crash of the
	// process. Default false: the OS page cache, like Kafka's default.
	SyncWrites bool
	// DefaultPartitions is the partition count of auto-created topics.
	// Default 8.
	DefaultPartitions int
	// TLS, when set, serves TLS with this configuration (its
	// certificate) instead of plaintext.
	TLS *tls.Config
	// SASLMechanism, SASLUser and SASLPassword, when set, require SASL
	// (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512) with this superuser.
	SASLMechanism, SASLUser, SASLPassword string
	// Logger receives the broker's warnings. Default slog.Default().
	Logger *slog.Logger
}

// Embedded is a running in-process broker.
type Embedded struct {
	cluster *kfake.Cluster
	addr    string
}

// StartEmbedded starts the broker and returns once it listens. Close stops it.
func StartEmbedded(cfg EmbeddedConfig) (*Embedded, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:9092"
	}
	if cfg.DefaultPartitions <= 0 {
		cfg.DefaultPartitions = 8
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	host, portStr, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("broker address %q: %w", cfg.Addr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535 {
		return nil, fmt.Errorf("broker address %q: port must be 0..65535", cfg.Addr)
	}
	opts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.Ports(port),
		kfake.ClusterID("agentpulse"),
		kfake.DefaultNumPartitions(cfg.DefaultPartitions),
		kfake.AllowAutoTopicCreation(),
		// Let consumer groups detect a killed member within seconds.
		kfake.GroupMinSessionTimeout(time.Second),
		// Enforce topics' retention (the updates topic's) every minute;
		// kfake's default is an hour.
		kfake.BrokerConfigs(map[string]string{"log.cleaner.backoff.ms": "60000"}),
		// kfake listens on 127.0.0.1; listen where the operator asked.
		kfake.ListenFn(func(network, _ string) (net.Listener, error) {
			return net.Listen(network, net.JoinHostPort(host, strconv.Itoa(port)))
		}),
	}
	if cfg.DataDir != "" {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("broker data dir: %w", err)
		}
		opts = append(opts, kfake.DataDir(cfg.DataDir))
	}
	if cfg.SyncWrites {
		opts = append(opts, kfake.SyncWrites())
	}
	if cfg.TLS != nil {
		opts = append(opts, kfake.TLS(cfg.TLS))
	}
	if cfg.SASLMechanism != "" {
		opts = append(opts, kfake.EnableSASL(), kfake.Superuser(strings.ToUpper(cfg.SASLMechanism), cfg.SASLUser, cfg.SASLPassword))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("start embedded broker on %s: %w", cfg.Addr, err)
	}
	addrs := c.ListenAddrs()
	e := &Embedded{cluster: c, addr: addrs[0]}
	cfg.Logger.Info("embedded broker listening", "addr", e.addr, "data_dir", cfg.DataDir)
	return e, nil
}

// Addr is the host:port clients connect to.
func (e *Embedded) Addr() string { return e.addr }

// Cluster exposes the kfake cluster, for fault injection in tests.
func (e *Embedded) Cluster() *kfake.Cluster { return e.cluster }

// Close stops the broker, flushing its log to the data directory.
func (e *Embedded) Close() { e.cluster.Close() }
