package processor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/schemas"
)

// runConfigured runs a processor with cfg (brokers, group and logger filled
// in) and returns its metrics registry and a stop function.
func runConfigured(t testing.TB, addr string, st store.Writer, group string, cfg Config) (*prometheus.Registry, func()) {
	t.Helper()
	reg := prometheus.NewRegistry()
	cfg.Brokers, cfg.Group, cfg.Logger, cfg.Registerer = []string{addr}, group, quietLogger(), reg
	if cfg.FlushInterval == 0 {
		cfg.FlushInterval = 20 * time.Millisecond
	}
	p, err := New(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	return reg, func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("processor: %v", err)
		}
	}
}

// counter returns the value of a counter of reg.
func counter(t testing.TB, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			v := 0.0
			for _, m := range mf.GetMetric() {
				v += m.GetCounter().GetValue()
			}
			return v
		}
	}
	return 0
}

// waitCounter waits until a counter of reg is positive.
func waitCounter(t testing.TB, reg *prometheus.Registry, name string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for counter(t, reg, name) <= 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%s stayed 0", name)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// oldCorrections returns corrections of the oldest interactions of its
// (by ended_at): every third moves to another agent, team and inquiry and
// 3 hours later; every ninth 60 days later (past every other interaction,
// so that every day falls behind the horizon); every fifth back to the
// oldest day; with a redelivery of an old revision, a correction of a
// correction, and new interactions late into the oldest day.
func oldCorrections(its []schemas.Interaction, tag string, rev int64) []schemas.Interaction {
	byEnd := append([]schemas.Interaction(nil), its...)
	sort.SliceStable(byEnd, func(i, j int) bool { return byEnd[i].EndedAt.Before(byEnd[j].EndedAt) })
	oldest := byEnd[0].EndedAt
	n := len(byEnd)
	var out []schemas.Interaction
	for i := 0; i < n/4; i += 3 {
		moved := byEnd[i]
		other := byEnd[(i+n/2)%n]
		moved.Revision = rev + int64(i)
		moved.AgentID, moved.TeamID, moved.Inquiry = other.AgentID, other.TeamID, other.Inquiry
		shift := 3 * time.Hour
		switch {
		case i%9 == 0:
			shift = 60 * 24 * time.Hour
		case i%5 == 0:
			shift = oldest.Sub(moved.EndedAt) + time.Duration(i)*time.Second
		}
		moved.EndedAt, moved.StartedAt = moved.EndedAt.Add(shift), moved.StartedAt.Add(shift)
		moved.HandleTimeS += 7
		out = append(out, moved)
		if i%4 == 0 {
			again := moved
			again.Revision++
			again.HandleTimeS++
			out = append(out, again, byEnd[i]) // and the original again: stale
		}
	}
	for i := range 20 {
		late := byEnd[i]
		late.InteractionID = fmt.Sprintf("late-%s-%d", tag, i)
		late.EndedAt = oldest.Add(time.Duration(i) * time.Minute)
		late.StartedAt = late.EndedAt.Add(-time.Minute)
		out = append(out, late)
	}
	return out
}

// TestCorrectionsBeyondHorizon folds ten days with a one-day horizon, so
// that most days leave memory, then corrects the oldest interactions:
// moved to other agents, teams, inquiries and hours (60 days later, or
// back to the oldest day), corrected twice, redelivered stale, and joined
// by late new interactions of the oldest day. Every figure must equal the
// reference. Then a restart loads the snapshot and a second round of
// corrections lands exactly too.
func TestCorrectionsBeyondHorizon(t *testing.T) {
	correctionsBeyondHorizon(t, simulated(t, 6, 10), Config{StateHorizon: 24 * time.Hour, SnapshotInterval: 100 * time.Millisecond})
}

// TestCorrectionsThroughStaticFilter is the same over 70 days, with the
// static key filter rebuilt every few hundred evictions: the keys of the
// oldest interactions, 60 to 70 days behind when corrected, are then only
// in a static filter built from the store (the Bloom chain that held them
// was dropped), and after the restart only in the one stored apart from
// the snapshots. The filters are built in shards of at most 64 keys, so
// every build past the first few spills its hashes to scratch files and
// builds the shards one at a time.
func TestCorrectionsThroughStaticFilter(t *testing.T) {
	scratch := t.TempDir()
	reg, st := correctionsBeyondHorizon(t, simulated(t, 2, 70), Config{StateHorizon: 24 * time.Hour, SnapshotInterval: 100 * time.Millisecond,
		keyRebuildMin: 300, keyShardKeys: 64, ScratchDir: scratch})
	if n := counter(t, reg, "agentpulse_processor_key_filters_total"); n == 0 {
		t.Error("no static key filter built")
	}
	if left, _ := os.ReadDir(scratch); len(left) != 0 {
		t.Errorf("the builds left %d entries in the scratch directory", len(left))
	}
	stored, sharded := 0, 0
	for p := range int32(4) {
		below, data, err := st.KeyFilter(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		if data != nil {
			stored++
			kf, err := decodeKeyFilter(data)
			if err != nil || below <= 0 {
				t.Fatalf("partition %d: stored key filter below %d does not decode: %v", p, below, err)
			}
			if kf.shardBits > 0 {
				sharded++
			}
		}
	}
	if stored == 0 || sharded == 0 {
		t.Errorf("%d key filters stored, %d of them in shards; want some of each", stored, sharded)
	}
}

// correctionsBeyondHorizon folds its, corrects its oldest interactions
// (oldCorrections), restarts from the snapshots and corrects again,
// checking every figure against the reference each time. It returns the
// second run's metrics and the store.
func correctionsBeyondHorizon(t *testing.T, its []schemas.Interaction, cfg Config) (*prometheus.Registry, *embedded.Store) {
	addr := startBroker(t)
	st := embedded.New()
	reg, stop := runConfigured(t, addr, st, "horizon", cfg)
	produce(t, addr, its)
	waitCaughtUp(t, st, endOffsets(t, addr), 60*time.Second)
	waitCounter(t, reg, "agentpulse_processor_evicted_interactions_total")

	fix := oldCorrections(its, "a", 100)
	its = append(its, fix...)
	produce(t, addr, fix)
	waitCaughtUp(t, st, endOffsets(t, addr), 60*time.Second)
	checkAgainstReference(t, st, its)
	checkStoredRoster(t, st, its)
	if counter(t, reg, "agentpulse_processor_store_lookups_total") == 0 {
		t.Error("no store lookup: the corrections never reached evicted state")
	}
	stop()

	// A restart loads the snapshots, not the history.
	for p := range endOffsets(t, addr) {
		if at, snap, err := st.Snapshot(context.Background(), p); err != nil || snap == nil {
			t.Fatalf("partition %d: no snapshot (%d, %v)", p, at, err)
		}
	}
	reg, stop = runConfigured(t, addr, st, "horizon", cfg)
	defer stop()
	fix = oldCorrections(its, "b", 1000)
	its = append(its, fix...)
	produce(t, addr, fix)
	waitCaughtUp(t, st, endOffsets(t, addr), 60*time.Second)
	checkAgainstReference(t, st, its)
	checkStoredRoster(t, st, its)
	if counter(t, reg, "agentpulse_processor_store_lookups_total") == 0 {
		t.Error("no store lookup after the restart")
	}
	return reg, st
}

// noSnapshots is a store that keeps no snapshot: a restart on it rebuilds
// the hot state from the store's rows (store.LoadPartition).
type noSnapshots struct{ store.Store }

func (n noSnapshots) Apply(ctx context.Context, b store.Batch) error {
	return n.ApplyAll(ctx, []store.Batch{b})
}

func (n noSnapshots) ApplyAll(ctx context.Context, bs []store.Batch) error {
	out := make([]store.Batch, len(bs))
	for i, b := range bs {
		b.Snapshot = nil
		out[i] = b
	}
	return n.Store.ApplyAll(ctx, out)
}

func (noSnapshots) Snapshot(context.Context, int32) (int64, []byte, error) { return 0, nil, nil }

// Roster reads the wrapped store's roster.
func (n noSnapshots) Roster(ctx context.Context, tenant, agent string, fn func(store.RosterPart) error) error {
	return n.Store.(store.RosterReader).Roster(ctx, tenant, agent, fn)
}

// TestRestartWithoutSnapshot restarts on a store without snapshots, after
// twelve days of a feed with a one-day horizon: the state is rebuilt from
// the store, and days leave memory while it loads, so that the load never
// holds more than the horizon's few days (not the history); then old
// corrections still land exactly.
func TestRestartWithoutSnapshot(t *testing.T) {
	its := simulated(t, 6, 12)
	addr := startBroker(t)
	st := noSnapshots{embedded.New()}
	cfg := Config{StateHorizon: 24 * time.Hour}
	_, stop := runConfigured(t, addr, st, "rebuild", cfg)
	produce(t, addr, its)
	waitCaughtUp(t, st, endOffsets(t, addr), 60*time.Second)
	stop()
	reg, stop := runConfigured(t, addr, st, "rebuild", cfg)
	defer stop()
	offsets := endOffsets(t, addr)
	for deadline := time.Now().Add(30 * time.Second); len(gaugeValues(t, reg, "agentpulse_processor_load_peak_interactions")) < len(offsets); {
		if time.Now().After(deadline) {
			t.Fatal("not every partition loaded")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Loading day d, memory holds days d-2 to d (the horizon's day, the
	// day being passed, day d): at most any four days' interactions of
	// the partition, far fewer than its history.
	peaks := gaugeValues(t, reg, "agentpulse_processor_load_peak_interactions")
	for p := range offsets {
		var recs []schemas.Interaction
		if err := st.LoadPartition(context.Background(), p, 1<<62, func(r store.Record) error {
			recs = append(recs, r.Interaction)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		peak, bound := peaks[fmt.Sprint(p)], daysWindowMax(recs, 4)
		t.Logf("partition %d: load peak %v interactions; any four days hold at most %d; %d in all", p, peak, bound, len(recs))
		if peak > float64(bound) || bound >= len(recs)/2 {
			t.Errorf("partition %d: the load held %v interactions at once; want at most %d (any four days), far below %d in all", p, peak, bound, len(recs))
		}
	}
	fix := oldCorrections(its, "r", 100)
	its = append(its, fix...)
	produce(t, addr, fix)
	waitCaughtUp(t, st, endOffsets(t, addr), 60*time.Second)
	checkAgainstReference(t, st, its)
	checkStoredRoster(t, st, its)
	if counter(t, reg, "agentpulse_processor_store_lookups_total") == 0 {
		t.Error("no store lookup: the corrections never reached evicted state")
	}
}

// currentOf returns the current (highest) revision of each interaction of its.
func currentOf(its []schemas.Interaction) map[string]schemas.Interaction {
	cur := map[string]schemas.Interaction{}
	for _, it := range its {
		k := it.TenantID + "\x00" + it.InteractionID
		if c, ok := cur[k]; !ok || it.Revision > c.Revision {
			cur[k] = it
		}
	}
	return cur
}

// daysWindowMax is the most current interactions of its that end within
// any n consecutive UTC days.
func daysWindowMax(its []schemas.Interaction, n int32) int {
	perDay := map[int32]int{}
	lo, hi := int32(1<<31-1), int32(-1<<31)
	for _, it := range currentOf(its) {
		d := dayOf(it.EndedAt.UnixNano())
		perDay[d]++
		lo, hi = min(lo, d), max(hi, d)
	}
	best := 0
	for d := lo; d <= hi; d++ {
		sum := 0
		for i := range n {
			sum += perDay[d-i]
		}
		best = max(best, sum)
	}
	return best
}

// gaugeValues returns a gauge of reg by its first label's value.
func gaugeValues(t testing.TB, reg *prometheus.Registry, name string) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				out[m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue()
			}
		}
	}
	return out
}

// TestTooOldGoesToDeadLetter: a record that ended more than the acceptance
// window before its partition's newest is not folded and reaches the
// dead-letter topic with the reason.
func TestTooOldGoesToDeadLetter(t *testing.T) {
	its := simulated(t, 2, 2)
	addr := startBroker(t)
	st := embedded.New()
	_, stop := runConfigured(t, addr, st, "old", Config{AcceptanceWindow: 30 * 24 * time.Hour})
	defer stop()
	var old []schemas.Interaction
	for i := range its {
		o := its[i]
		o.InteractionID = fmt.Sprintf("ancient-%d", i)
		o.EndedAt, o.StartedAt = o.EndedAt.AddDate(0, -2, 0), o.StartedAt.AddDate(0, -2, 0)
		old = append(old, o)
	}
	produce(t, addr, its)
	produce(t, addr, old)
	waitCaughtUp(t, st, endOffsets(t, addr), 60*time.Second)
	checkAgainstReference(t, st, its)

	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics("interactions.dlq"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	got := 0
	for got < len(old) {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("%d of %d too-old records on the dead-letter topic", got, len(old))
		}
		fs.EachRecord(func(r *kgo.Record) {
			for _, h := range r.Headers {
				if h.Key == "reason" && len(h.Value) > 0 {
					got++
					if got == 1 {
						t.Logf("reason: %s", h.Value)
					}
				}
			}
		})
	}
}

// lostKeyFilters is a store that answers no key filter, as if the one a
// snapshot names were lost, and counts the partitions loaded from its rows.
type lostKeyFilters struct {
	*embedded.Store
	loads *atomic.Int64
}

func (lostKeyFilters) KeyFilter(context.Context, int32) (int64, []byte, error) { return 0, nil, nil }

func (l lostKeyFilters) LoadPartition(ctx context.Context, partition int32, below int64, fn func(store.Record) error) error {
	if below > 0 {
		l.loads.Add(1)
	}
	return l.Store.LoadPartition(ctx, partition, below, fn)
}

// TestRestartWithLostKeyFilter: snapshots that need a static key filter
// the store does not have are not used; the partitions load from the
// store's rows instead, and old corrections still land exactly.
func TestRestartWithLostKeyFilter(t *testing.T) {
	its := simulated(t, 2, 20)
	sort.SliceStable(its, func(i, j int) bool { return its[i].EndedAt.Before(its[j].EndedAt) })
	addr := startBroker(t)
	st := lostKeyFilters{embedded.New(), new(atomic.Int64)}
	cfg := Config{StateHorizon: 24 * time.Hour, SnapshotInterval: 20 * time.Millisecond, keyRebuildMin: 200}
	reg, stop := runConfigured(t, addr, st, "lost", cfg)
	produce(t, addr, its[:len(its)/2])
	waitCaughtUp(t, st, endOffsets(t, addr), 60*time.Second)
	waitCounter(t, reg, "agentpulse_processor_key_filters_total")
	// Folded after the filters were installed: snapshots that name them.
	produce(t, addr, its[len(its)/2:])
	waitCaughtUp(t, st, endOffsets(t, addr), 60*time.Second)
	stop()
	reg, stop = runConfigured(t, addr, st, "lost", cfg)
	defer stop()
	fix := oldCorrections(its, "l", 100)
	its = append(its, fix...)
	produce(t, addr, fix)
	waitCaughtUp(t, st, endOffsets(t, addr), 60*time.Second)
	checkAgainstReference(t, st, its)
	if st.loads.Load() == 0 {
		t.Error("no partition loaded from the store: the snapshots did not need the lost filters")
	}
	if counter(t, reg, "agentpulse_processor_store_lookups_total") == 0 {
		t.Error("no store lookup: the corrections never reached evicted state")
	}
}
