package simulator

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
)

// Limits and defaults of LiveConfig.
const (
	// MaxLiveRate is the highest LiveConfig.Rate, interactions per second.
	MaxLiveRate = 1_000_000
	// DefaultLiveInterval is how often a live batch is emitted by default.
	DefaultLiveInterval = 50 * time.Millisecond
	// MaxLivePending bounds the fault records held back at once; when it
	// is reached the earliest one is released early.
	MaxLivePending = 100_000
)

// saltLive keeps the live random stream apart from the historical ones
// (roster.go's salts are small integers).
const saltLive uint64 = 0x6c697665

// ErrLiveStarted is returned by Live.Run when the generator already ran:
// a second run would repeat interaction ids. Build a new Live instead.
var ErrLiveStarted = errors.New("simulate live: this generator has already run; build a new one")

// LiveConfig configures a Live generator.
type LiveConfig struct {
	// World is the simulated contact center. Seed, Agents, Tenants and
	// TeamSize give the same tenants, teams and agents (skills, shifts,
	// models, inquiries) as a historical Generator with the same values,
	// so a backfilled history and a live feed describe one contact center.
	// DuplicateRate, RevisionRate and LateRate inject faults as in the
	// historical stream, with live delays (see Live). Days and End are not
	// used; a zero End is allowed.
	World Config
	// Rate is the number of new interactions per second, over all tenants.
	// 0 < Rate <= MaxLiveRate. Fault records come on top.
	Rate float64
	// Count stops the run after this many new interactions (faults still
	// pending are then emitted at once). 0: run until the context ends.
	Count int64
	// Interval is how often a batch is emitted. 1 ms..1 s; default 50 ms.
	Interval time.Duration
	// RunID makes this run's interaction ids unique: they are
	// "live-<RunID>-<n>". 1 to 64 characters of [A-Za-z0-9_-]. Default:
	// the start time in milliseconds (base 36) and 16 random bits.
	RunID string
	// Clock is the time source. Default WallClock.
	Clock Clock
	// Outcomes receives the survey answers of the live interactions (see
	// Generator: about one in ten), each once it is answered (observed_at
	// has passed on the Clock), from Run's goroutine after the batch that
	// made it due was emitted. An error ends Run like emit's. Nil: the
	// answers are dropped.
	Outcomes func([]schemas.Outcome) error
}

// LiveStats counts what a live run emitted so far: the records of the
// batches emit accepted (returned nil for).
type LiveStats struct {
	// Interactions is the number of new interactions (revision 1, late
	// ones included).
	Interactions int64
	// Records is every record emitted, faults included.
	Records int64
	// Duplicates, Revisions and Late count the fault records emitted.
	Duplicates, Revisions, Late int64
	// Batches is the number of emit calls that returned.
	Batches int64
}

// Live generates a simulated contact center's interactions as they
// happen: Rate new interactions per second in all, each ending "now" on
// the Clock (ended_at spread over the last interval, started_at = ended_at
// − the contact's duration), emitted in a batch every Interval.
//
// Pacing is a token bucket refilled at Rate and capped at one second's
// worth: when emit blocks (a slow or unreachable receiver) arrivals of up
// to one second are caught up, longer gaps are not made up. Each new
// interaction is handled by an agent on shift at that moment, by the
// agents' shifts, breaks and absences of the historical simulation, chosen
// in proportion to how many contacts their model allows per hour; when no
// agent is on shift anywhere (a small world at night) any agent may take
// it. Outcomes follow the historical model at each agent's skill at the
// end of a historical period, customers and survey answers included
// (LiveConfig.Outcomes); live customers are new people, apart from a
// history's.
//
// interaction_id is "live-<RunID>-<n>" (n from 1), so runs never collide
// with each other nor with historical ids ("sim-…"); source is
// "simulator" and source_refs.sim_id "<seed>/<agent>/live-<RunID>/<n>".
// Faults are delayed by log-uniform amounts of live time: a duplicate 1 s
// to 5 min after the original, a revision 10 s to 30 min after it, a late
// delivery 30 s to 1 h after it ended.
//
// Live is built by NewLive and runs once. Stats is safe for concurrent
// use while Run runs.
type Live struct {
	cfg     LiveConfig
	tenants []Tenant
	agents  []agentRef
	weight  []float64 // each agent's relative contact rate, by agents index
	started atomic.Bool
	stats   struct {
		interactions, records, duplicates, revisions, late, batches atomic.Int64
	}
}

// NewLive validates cfg, fills its defaults and builds the roster. Errors
// match ErrInvalidConfig and name the flag of `agentpulse simulate`.
func NewLive(cfg LiveConfig) (*Live, error) {
	if cfg.Clock == nil {
		cfg.Clock = WallClock{}
	}
	if cfg.Interval == 0 {
		cfg.Interval = DefaultLiveInterval
	}
	now := cfg.Clock.Now()
	if cfg.World.End.IsZero() {
		cfg.World.End = now.UTC().Truncate(time.Hour)
	}
	if cfg.World.Days == 0 {
		cfg.World.Days = 1
	}
	if cfg.RunID == "" {
		cfg.RunID = strconv.FormatInt(now.UnixMilli(), 36) + "-" + strconv.FormatUint(uint64(rand.Uint32()&0xffff), 36)
	}
	errs := []error{cfg.World.Validate()}
	bad := func(field, format string, args ...any) {
		errs = append(errs, &FieldError{Field: field, Rule: fmt.Sprintf(format, args...)})
	}
	if !(cfg.Rate > 0 && cfg.Rate <= MaxLiveRate) {
		bad("rate", "must be more than 0 and at most %d interactions per second, got %v", MaxLiveRate, cfg.Rate)
	}
	if cfg.Count < 0 {
		bad("count", "must be 0 (no limit) or more, got %d", cfg.Count)
	}
	if cfg.Interval < time.Millisecond || cfg.Interval > time.Second {
		bad("interval", "must be between 1ms and 1s, got %v", cfg.Interval)
	}
	if !validRunID(cfg.RunID) {
		bad("run-id", "must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -, got %q", cfg.RunID)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	l := &Live{cfg: cfg, tenants: buildTenants(cfg.World)}
	for t := range l.tenants {
		for a := range l.tenants[t].Agents {
			l.agents = append(l.agents, agentRef{t, a})
			l.weight = append(l.weight, 1/catalogue[l.tenants[t].Agents[a].models[0]].meanWork)
		}
	}
	return l, nil
}

func validRunID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Config returns the configuration with its defaults filled in.
func (l *Live) Config() LiveConfig { return l.cfg }

// Tenants returns the simulated tenants with their agents, the same as a
// historical Generator's with the same world. Callers must not modify it.
func (l *Live) Tenants() []Tenant { return l.tenants }

// Stats returns what the run emitted so far.
func (l *Live) Stats() LiveStats {
	return LiveStats{
		Interactions: l.stats.interactions.Load(), Records: l.stats.records.Load(),
		Duplicates: l.stats.duplicates.Load(), Revisions: l.stats.revisions.Load(),
		Late: l.stats.late.Load(), Batches: l.stats.batches.Load(),
	}
}

// Run generates interactions and calls emit with each non-empty batch,
// from the calling goroutine, one at a time; emit owns the slice. It
// returns nil once Count interactions (and the faults they caused) have
// been emitted, the context's error (wrapped) when ctx ends, or emit's
// first error (wrapped): emit should retry what it can retry itself.
// Run may be called once (ErrLiveStarted).
func (l *Live) Run(ctx context.Context, emit func([]schemas.Interaction) error) error {
	if l.started.Swap(true) {
		return ErrLiveStarted
	}
	lr := &liveRun{l: l, truth: newLiveTruth(l)}
	lr.r.reset(derive(uint64(l.cfg.World.Seed), saltLive, hashString(l.cfg.RunID)))
	clock, rate := l.cfg.Clock, l.cfg.Rate
	burst := math.Max(rate, 1) // one second's worth of arrivals, at least one
	last := clock.Now()
	tokens := 0.0
	for {
		if err := clock.Sleep(ctx, l.cfg.Interval); err != nil {
			return fmt.Errorf("simulate live: %w", err)
		}
		now := clock.Now()
		elapsed := max(0, now.Sub(last))
		last = now
		tokens = math.Min(tokens+rate*elapsed.Seconds(), burst)
		k := int64(tokens)
		if l.cfg.Count > 0 {
			k = min(k, l.cfg.Count-lr.n)
		}
		tokens -= float64(k)
		batch := lr.release(now.UnixNano(), nil)
		// Spread the new contacts' ends over the time they arrived in.
		span := min(elapsed, time.Second)
		for i := range k {
			end := now.Add(-span + time.Duration(float64(span)*float64(i+1)/float64(k)))
			batch = lr.add(end, batch)
		}
		final := l.cfg.Count > 0 && lr.n >= l.cfg.Count
		if final {
			batch = lr.release(math.MaxInt64, batch)
		}
		if len(batch) > 0 {
			if err := emit(batch); err != nil {
				return fmt.Errorf("simulate live: %w", err)
			}
			lr.emitted(len(batch))
		}
		due := now.UnixNano()
		if final {
			due = math.MaxInt64
		}
		if outs := lr.truth.due(due); len(outs) > 0 && l.cfg.Outcomes != nil {
			if err := l.cfg.Outcomes(outs); err != nil {
				return fmt.Errorf("simulate live: %w", err)
			}
		}
		if final {
			return nil
		}
	}
}

// hashString folds s into a seed key.
func hashString(s string) uint64 {
	h := uint64(0xcbf29ce484222325) // FNV-1a
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 0x100000001b3
	}
	return h
}
