package processor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/plugin/kprom"

	"github.com/agentpulse/agentpulse/processor/store"
)

// Processor consumes the interactions topic as a member of a consumer
// group and keeps the store's aggregates equal to a fold of the log.
type Processor struct {
	cfg     Config
	store   store.Writer
	client  *kgo.Client
	log     *slog.Logger
	metrics *metrics

	group groupWriter

	mu      sync.Mutex
	workers map[int32]*worker
	// runCtx is the workers' context: it outlives Run's context by
	// ShutdownGrace. Group management starts with the client in New, so
	// partitions may be assigned before Run.
	runCtx     context.Context
	cancelWork context.CancelFunc
	failed     chan error
}

// New builds a processor writing to st. It connects lazily: Run starts
// consuming.
func New(cfg Config, st store.Writer) (*Processor, error) {
	cfg = cfg.withDefaults()
	if len(cfg.Brokers) == 0 {
		return nil, ErrNoBrokers
	}
	p := &Processor{
		cfg: cfg, store: st, log: cfg.Logger.With("component", "processor"),
		metrics: newMetrics(cfg.Registerer),
		workers: map[int32]*worker{},
		failed:  make(chan error, 1),
	}
	p.group.p = p
	removeKeyScratch(cfg.ScratchDir, p.log)
	p.runCtx, p.cancelWork = context.WithCancel(context.Background())
	p.metrics.queueCapacity.Set(float64(cfg.QueueBatches))
	opts := []kgo.Opt{
		kgo.SeedBrokers(cfg.Brokers...),
		kgo.ConsumerGroup(cfg.Group),
		kgo.ConsumeTopics(cfg.Topic),
		kgo.SessionTimeout(cfg.SessionTimeout),
		// A member that died cannot rejoin: do not wait longer for it than
		// for a silent one.
		kgo.RebalanceTimeout(2 * cfg.SessionTimeout),
		kgo.HeartbeatInterval(min(cfg.SessionTimeout/5, 3*time.Second)),
		kgo.FetchMaxWait(cfg.FetchMaxWait),
		kgo.BlockRebalanceOnPoll(),
		kgo.AutoCommitMarks(),
		kgo.AdjustFetchOffsetsFn(p.assign),
		kgo.OnPartitionsRevoked(p.revoked),
		kgo.OnPartitionsLost(p.lostPartitions),
		kgo.ProducerLinger(0),
		kgo.AllowAutoTopicCreation(),
	}
	opts = append(opts, cfg.ClientOpts...)
	if cfg.InstanceID != "" {
		opts = append(opts, kgo.InstanceID(cfg.InstanceID))
	}
	if cfg.Registerer != nil {
		// agentpulse_processor_kafka_*: bytes and records fetched and
		// produced, request latency, broker connects and errors.
		opts = append(opts, kgo.WithHooks(kprom.NewMetrics("agentpulse", kprom.Subsystem("processor_kafka"), kprom.Registerer(cfg.Registerer))))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("processor: kafka client: %w", err)
	}
	p.client = cl
	return p, nil
}

// Run consumes until ctx ends or a partition cannot be loaded. On return
// every owned partition has been flushed to the store (when the store
// answers), its offsets committed, and the group left.
//
// Stop order: stop polling; each worker folds what it has queued, writes
// it to the store and marks its offsets; the marked offsets are committed;
// the client leaves the group and closes.
func (p *Processor) Run(ctx context.Context) error {
	// Workers outlive ctx by up to ShutdownGrace so that they can store
	// what they hold; a store that stays down that long loses nothing, as
	// the next owner replays from the store's checkpoint.
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	stopGrace := context.AfterFunc(ctx, func() {
		t := time.NewTimer(p.cfg.ShutdownGrace)
		defer t.Stop()
		select {
		case <-t.C:
			cancelWork()
		case <-workCtx.Done():
		}
	})
	defer stopGrace()
	p.mu.Lock()
	p.runCtx = workCtx
	p.mu.Unlock()
	// The lag gauge moves on its own, not only when /readyz asks.
	lagCtx, stopLag := context.WithCancel(ctx)
	defer stopLag()
	go p.sampleLag(lagCtx)

	var runErr error
	for runErr == nil {
		fetches := p.client.PollRecords(ctx, p.cfg.PollRecords)
		if fetches.IsClientClosed() || ctx.Err() != nil {
			p.client.AllowRebalance() // leaving the group waits for it
			break
		}
		fetches.EachError(func(topic string, partition int32, err error) {
			if !errors.Is(err, context.Canceled) {
				p.log.Warn("fetch error", "topic", topic, "partition", partition, "err", err)
			}
		})
		fetches.EachPartition(func(ftp kgo.FetchTopicPartition) {
			if len(ftp.Records) == 0 {
				return
			}
			p.mu.Lock()
			w := p.workers[ftp.Partition]
			p.mu.Unlock()
			if w == nil {
				return // not ours any more; the new owner replays from its checkpoint
			}
			p.metrics.queueLength.Inc()
			f := fetched{records: ftp.Records, highWatermark: ftp.HighWatermark}
			select {
			case w.in <- f:
			default:
				p.metrics.queueLimit.Inc()
				select {
				case w.in <- f:
				case <-w.done:
				}
			}
		})
		p.client.AllowRebalance()
		select {
		case runErr = <-p.failed:
		default:
		}
	}

	// Stop: flush every worker, commit, leave.
	p.mu.Lock()
	all := map[string][]int32{p.cfg.Topic: nil}
	for part := range p.workers {
		all[p.cfg.Topic] = append(all[p.cfg.Topic], part)
	}
	p.mu.Unlock()
	p.stopWorkers(all, true)
	commitCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	if err := p.client.CommitMarkedOffsets(commitCtx); err != nil && runErr == nil {
		p.log.Warn("final commit failed; the next owner replays from the store's checkpoint", "err", err)
	}
	cancel()
	p.client.Close()
	p.leaveStatic(ctx)
	return runErr
}

// leaveStatic makes a static member (Config.InstanceID) leave the group on
// a graceful stop, as a dynamic one does on Close: its partitions move to
// the other processors now, not after SessionTimeout. A crashed static
// member does not leave, and its restart takes the partitions back.
func (p *Processor) leaveStatic(ctx context.Context) {
	if p.cfg.InstanceID == "" {
		return
	}
	req := kmsg.NewPtrLeaveGroupRequest()
	req.Group = p.cfg.Group
	m := kmsg.NewLeaveGroupRequestMember()
	m.InstanceID = &p.cfg.InstanceID
	reason := "processor stopping"
	m.Reason = &reason
	req.Members = append(req.Members, m)
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	// The group's client is closed (a static member's Close does not
	// leave, and it must not rejoin meanwhile): leave through another.
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(p.cfg.Brokers...)}, p.cfg.ClientOpts...)...)
	if err != nil {
		p.log.Warn("leaving the group failed; the partitions move after the session timeout", "instance_id", p.cfg.InstanceID, "err", err)
		return
	}
	defer cl.Close()
	resp, err := req.RequestWith(lctx, cl)
	if err == nil {
		err = kerr.ErrorForCode(resp.ErrorCode)
		for _, m := range resp.Members {
			if err == nil {
				err = kerr.ErrorForCode(m.ErrorCode)
			}
		}
	}
	if err != nil {
		p.log.Warn("leaving the group failed; the partitions move after the session timeout", "instance_id", p.cfg.InstanceID, "err", err)
	}
}

// assign is called when partitions are assigned, before fetching starts:
// each partition resumes at the store's snapshot, or at its checkpoint
// when it has none (not the group's committed offset, which may be behind
// or ahead of what the store has), and a worker loads the state below.
func (p *Processor) assign(ctx context.Context, offsets map[string]map[int32]kgo.Offset) (map[string]map[int32]kgo.Offset, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	type start struct {
		topic string
		part  int32
		cp    int64
		snap  []byte
		err   error
	}
	var starts []*start
	for topic, parts := range offsets {
		for part := range parts {
			if p.workers[part] == nil {
				starts = append(starts, &start{topic: topic, part: part})
			}
		}
	}
	// Read the partitions' checkpoints and snapshots concurrently (a few at
	// a time, leaving the store's other connections free): one after the
	// other, a restart of 8 partitions waited for 8 snapshot reads in turn.
	var wg sync.WaitGroup
	sem := make(chan struct{}, assignReads)
	for _, st := range starts {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			st.cp, st.snap, st.err = p.resumeAt(ctx, st.part)
		})
	}
	wg.Wait()
	for _, st := range starts {
		if st.err != nil {
			return nil, st.err
		}
	}
	for _, st := range starts {
		offsets[st.topic][st.part] = kgo.NewOffset().At(st.cp).WithEpoch(-1)
		w := newWorker(p, st.part, st.cp, st.snap)
		p.workers[st.part] = w
		p.metrics.partitions.Inc()
		go w.run(p.runCtx)
	}
	return offsets, nil
}

// assignReads is how many partitions' checkpoints and snapshots assign
// reads at once.
const assignReads = 4

// resumeAt returns where a newly assigned partition resumes: the stored
// checkpoint, or the stored snapshot's offset with the snapshot.
func (p *Processor) resumeAt(ctx context.Context, part int32) (int64, []byte, error) {
	cp, err := p.store.Checkpoint(ctx, part)
	if err != nil {
		return 0, nil, fmt.Errorf("read checkpoint of partition %d: %w", part, err)
	}
	// A snapshot is never ahead of the checkpoint: resuming at it
	// refolds the records between the two, which rewrites identical rows.
	at, snap, err := p.store.Snapshot(ctx, part)
	if err != nil {
		return 0, nil, fmt.Errorf("read snapshot of partition %d: %w", part, err)
	}
	if snap != nil && at <= cp {
		return at, snap, nil
	}
	return cp, nil, nil
}

func (p *Processor) revoked(ctx context.Context, cl *kgo.Client, revoked map[string][]int32) {
	p.stopWorkers(revoked, true)
	if err := cl.CommitMarkedOffsets(ctx); err != nil {
		p.log.Warn("commit on revoke failed", "err", err)
	}
}

func (p *Processor) lostPartitions(_ context.Context, _ *kgo.Client, lost map[string][]int32) {
	p.stopWorkers(lost, false)
}

// stopWorkers stops the named partitions' workers and waits for them;
// flush says whether they write what they hold first.
func (p *Processor) stopWorkers(parts map[string][]int32, flush bool) {
	p.mu.Lock()
	var stopping []*worker
	for _, ps := range parts {
		for _, part := range ps {
			w := p.workers[part]
			if w == nil {
				continue
			}
			delete(p.workers, part)
			p.metrics.partitions.Dec()
			if flush {
				close(w.quit)
			} else {
				close(w.lost)
			}
			stopping = append(stopping, w)
		}
	}
	p.mu.Unlock()
	for _, w := range stopping {
		<-w.done
	}
}

// Lag returns how many records of the owned partitions are not folded
// yet, measured against the partitions' end offsets asked of the broker
// now, and whether the processor owns any partition at all. Safe for
// concurrent use.
func (p *Processor) Lag(ctx context.Context) (records int64, assigned bool, err error) {
	p.mu.Lock()
	next := make(map[int32]int64, len(p.workers))
	for part, w := range p.workers {
		next[part] = w.next.Load()
	}
	p.mu.Unlock()
	if len(next) == 0 {
		return 0, false, nil
	}
	ends, err := kadm.NewClient(p.client).ListEndOffsets(ctx, p.cfg.Topic)
	if err == nil {
		err = ends.Error()
	}
	if err != nil {
		return 0, true, fmt.Errorf("list end offsets of %q: %w", p.cfg.Topic, err)
	}
	ends.Each(func(o kadm.ListedOffset) {
		if n, ok := next[o.Partition]; ok && o.Offset > n {
			records += o.Offset - n
		}
	})
	p.metrics.lag.Set(float64(records))
	return records, true, nil
}

// sampleLag measures the lag every LagInterval until ctx ends.
func (p *Processor) sampleLag(ctx context.Context) {
	t := time.NewTicker(p.cfg.LagInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, _, err := p.Lag(ctx); err != nil && ctx.Err() == nil {
				p.log.Debug("measure lag", "err", err)
			}
		}
	}
}

// Ready reports an error until the processor owns partitions and has
// folded all but at most maxLag of their records: /readyz answers from it.
func (p *Processor) Ready(ctx context.Context, maxLag int64) error {
	lag, assigned, err := p.Lag(ctx)
	switch {
	case err != nil:
		return err
	case !assigned:
		return errors.New("processor: no partition assigned yet")
	case lag > maxLag:
		return fmt.Errorf("processor: %d records behind (ready at %d or fewer)", lag, maxLag)
	}
	return nil
}

// fail stops Run with err (the first one wins).
func (p *Processor) fail(err error) {
	p.log.Error("processor stopping", "err", err)
	select {
	case p.failed <- err:
	default:
	}
}
