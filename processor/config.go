package processor

import (
	"errors"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Config configures a Processor. The zero value of a field means its default.
type Config struct {
	// Brokers are the seed brokers (host:port). Required.
	Brokers []string
	// ClientOpts are extra franz-go options of every client: TLS and SASL
	// (kafkasec.Config.Opts).
	ClientOpts []kgo.Opt
	// Topic is the topic of canonical interactions. Default "interactions".
	Topic string
	// UpdatesTopic receives one Update per changed agent. Default "updates".
	UpdatesTopic string
	// DeadLetterTopic keeps records that cannot be folded, with the reason.
	// Default "interactions.dlq".
	DeadLetterTopic string
	// Group is the consumer group. Default "agentpulse-processor".
	Group string
	// FlushRecords writes a partition's batch once it holds this many
	// applied records. Default 50000.
	FlushRecords int
	// FlushInterval writes a partition's batch at the latest this long after
	// its first unstored change. Default 200ms.
	FlushInterval time.Duration
	// CatchUpFlushInterval replaces FlushInterval while a partition is at
	// least FlushRecords/10 records behind its log end (a replay, a backfill,
	// a restart after downtime): batches then fill up to FlushRecords, and
	// the store's checkpoint advances at least this often. Records folded
	// that far behind publish no updates; once caught up, the partition's
	// store write is followed by one schemas.KindRebuilt marker. Default 5s.
	CatchUpFlushInterval time.Duration
	// QueueBatches bounds each partition worker's queue, in fetched
	// batches; a full queue pauses polling (back-pressure). Default 4.
	QueueBatches int
	// PollRecords is the most records one poll returns. Default 20000.
	PollRecords int
	// SessionTimeout is how long the group waits for a silent member (a
	// killed process) before giving its partitions to another. Default 10s
	// (Kafka's own default is 45s); brokers refuse values below their
	// group.min.session.timeout.ms (6s by default).
	SessionTimeout time.Duration
	// InstanceID makes the processor a static member of the group
	// (KIP-345): a processor restarted with the same InstanceID after a
	// crash takes its partitions back at once, instead of the group
	// waiting SessionTimeout for the dead member first. Give each
	// processor its own stable id (a StatefulSet pod name); two running
	// with one id fence each other. A graceful stop still leaves the
	// group, so its partitions move at once. Empty: a dynamic member.
	InstanceID string
	// FetchMaxWait is how long the broker may hold a fetch waiting for
	// data. A fetch returns as soon as data arrives, but partitions taken
	// over from a dead processor are only fetched once the fetch in
	// flight returns, so this bounds how long they wait after the
	// takeover. Default 500ms (franz-go's own default is 5s).
	FetchMaxWait time.Duration
	// ShutdownGrace is how long, after Run's context ends, workers may keep
	// retrying to store what they hold. Default 30s.
	ShutdownGrace time.Duration
	// LagInterval is how often Run measures the consumer lag of the owned
	// partitions against the broker's end offsets (the gauge
	// agentpulse_processor_lag_records; Ready measures it too). Default 10s.
	LagInterval time.Duration
	// StateHorizon is how much event time a partition keeps in memory: a
	// UTC day of interactions and bucket parts leaves memory once it ended
	// StateHorizon before the newest ended_at the partition applied, and
	// once it is stored. A revision of an interaction that left is looked
	// up in the store, so corrections of any age still land exactly; keep
	// it at least the sources' usual correction window so that lookups
	// stay rare. Default 168h (7 days); negative keeps everything.
	StateHorizon time.Duration
	// AcceptanceWindow is how far behind the newest ended_at a partition
	// applied a record may end: an older one goes to the dead-letter topic
	// with the reason. Default 18600h (about 25 months).
	AcceptanceWindow time.Duration
	// SnapshotInterval is how often a partition writes a snapshot of its
	// hot state with a checkpoint (and always when it stops gracefully); a
	// restart loads the snapshot and refolds only the records after it.
	// Default 1m.
	SnapshotInterval time.Duration
	// ScratchDir is where building a partition's static key filter spills
	// its keys' hashes when they are more than one shard's (8 bytes a key
	// of the partition's history, in a directory removed when the build
	// ends), so that the build holds one shard's keys in memory, not the
	// history's. Empty: os.TempDir().
	ScratchDir string
	// keyRebuildMin overrides rebuildMinKeys (tests: rebuilds of the
	// static key filter at a small scale).
	keyRebuildMin int
	// keyShardKeys overrides keyShardKeys (tests: sharded filters and
	// spilled builds at a small scale).
	keyShardKeys int
	// Logger receives structured logs. Default slog.Default().
	Logger *slog.Logger
	// Registerer registers the processor's metrics; nil registers nothing.
	Registerer prometheus.Registerer
}

// ErrNoBrokers is returned by New when Config.Brokers is empty.
var ErrNoBrokers = errors.New("processor: no brokers configured (set --brokers or run the embedded broker)")

func (c Config) withDefaults() Config {
	if c.Topic == "" {
		c.Topic = "interactions"
	}
	if c.UpdatesTopic == "" {
		c.UpdatesTopic = "updates"
	}
	if c.DeadLetterTopic == "" {
		c.DeadLetterTopic = "interactions.dlq"
	}
	if c.Group == "" {
		c.Group = "agentpulse-processor"
	}
	if c.FlushRecords <= 0 {
		c.FlushRecords = 50000
	}
	if c.FlushInterval <= 0 {
		c.FlushInterval = 200 * time.Millisecond
	}
	if c.CatchUpFlushInterval <= 0 {
		c.CatchUpFlushInterval = 5 * time.Second
	}
	if c.QueueBatches <= 0 {
		c.QueueBatches = 4
	}
	if c.PollRecords <= 0 {
		c.PollRecords = 20000
	}
	if c.SessionTimeout <= 0 {
		c.SessionTimeout = 10 * time.Second
	}
	if c.LagInterval <= 0 {
		c.LagInterval = 10 * time.Second
	}
	if c.FetchMaxWait <= 0 {
		c.FetchMaxWait = 500 * time.Millisecond
	}
	if c.ShutdownGrace <= 0 {
		c.ShutdownGrace = 30 * time.Second
	}
	if c.StateHorizon == 0 {
		c.StateHorizon = 168 * time.Hour
	}
	if c.StateHorizon < 0 {
		c.StateHorizon = 0
	}
	if c.AcceptanceWindow <= 0 {
		c.AcceptanceWindow = 18600 * time.Hour
	}
	if c.SnapshotInterval <= 0 {
		c.SnapshotInterval = time.Minute
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}
