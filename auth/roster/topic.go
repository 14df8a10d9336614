package roster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// This file is the roster's whole use of Kafka: a compacted one-partition
// topic replayed at start and tailed after, as auth/apikeys keeps its keys.
// It is kept apart so that it can be swapped for the shared topic-log
// package (topiclog) without touching the rest.

// topicLog replays a compacted topic into apply, then tails it.
type topicLog struct {
	topic string
	opts  []kgo.Opt
	apply func(*kgo.Record)
	log   *slog.Logger
	cl    *kgo.Client // producer
	rd    *kgo.Client // reader, set by load
	ready atomic.Bool
}

func newTopicLog(brokers []string, topic string, extra []kgo.Opt, apply func(*kgo.Record), log *slog.Logger) (*topicLog, error) {
	opts := append([]kgo.Opt{kgo.SeedBrokers(brokers...)}, extra...)
	cl, err := kgo.NewClient(append(slices.Clone(opts), kgo.DefaultProduceTopic(topic), kgo.RequiredAcks(kgo.AllISRAcks()))...)
	if err != nil {
		return nil, fmt.Errorf("roster client: %w", err)
	}
	return &topicLog{topic: topic, opts: opts, apply: apply, log: log, cl: cl}, nil
}

// load creates the topic when missing and replays it up to its end.
func (t *topicLog) load(ctx context.Context) error {
	adm := kadm.NewClient(t.cl)
	resp, err := adm.CreateTopic(ctx, 1, -1, map[string]*string{"cleanup.policy": ptr("compact")}, t.topic)
	if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) && !errors.Is(resp.Err, kerr.TopicAlreadyExists) {
		return fmt.Errorf("create topic %q: %w", t.topic, err)
	}
	ends, err := adm.ListEndOffsets(ctx, t.topic)
	if err == nil {
		err = ends.Error()
	}
	if err != nil {
		return fmt.Errorf("end offsets of %q: %w", t.topic, err)
	}
	want := map[int32]int64{}
	start := map[int32]kgo.Offset{}
	ends.Each(func(o kadm.ListedOffset) {
		start[o.Partition] = kgo.NewOffset().AtStart()
		if o.Offset > 0 {
			want[o.Partition] = o.Offset
		}
	})
	rd, err := kgo.NewClient(append(slices.Clone(t.opts), kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{t.topic: start}),
		kgo.FetchMaxWait(time.Second))...)
	if err != nil {
		return fmt.Errorf("roster reader: %w", err)
	}
	n := 0
	for len(want) > 0 {
		fs := rd.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			rd.Close()
			return fmt.Errorf("replay %q: %w", t.topic, err)
		}
		var ferr error
		fs.EachError(func(_ string, _ int32, err error) { ferr = errors.Join(ferr, err) })
		if ferr != nil {
			rd.Close()
			return fmt.Errorf("replay %q: %w", t.topic, ferr)
		}
		fs.EachRecord(func(r *kgo.Record) {
			t.apply(r)
			n++
			if end, ok := want[r.Partition]; ok && r.Offset+1 >= end {
				delete(want, r.Partition)
			}
		})
	}
	t.rd = rd
	t.ready.Store(true)
	t.log.Info("roster replayed from the broker", "topic", t.topic, "records", n)
	return nil
}

// run replays the topic when not done yet (retrying every second while
// the broker is away), then tails it until ctx ends.
func (t *topicLog) run(ctx context.Context) {
	for !t.ready.Load() {
		err := t.load(ctx)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return
		}
		t.log.Warn("roster: cannot read the topic yet, retrying", "topic", t.topic, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
	for {
		fs := t.rd.PollFetches(ctx)
		if ctx.Err() != nil {
			return
		}
		fs.EachError(func(topic string, p int32, err error) {
			t.log.Warn("roster: fetch failed", "topic", topic, "partition", p, "err", err)
		})
		fs.EachRecord(t.apply)
	}
}

// produce writes one record and waits for the broker.
func (t *topicLog) produce(ctx context.Context, key string, value []byte) error {
	if err := t.cl.ProduceSync(ctx, &kgo.Record{Key: []byte(key), Value: value}).FirstErr(); err != nil {
		return fmt.Errorf("produce to %q: %w", t.topic, err)
	}
	return nil
}

func (t *topicLog) close() {
	t.cl.Close()
	if t.rd != nil {
		t.rd.Close()
	}
}

func ptr[T any](v T) *T { return &v }
