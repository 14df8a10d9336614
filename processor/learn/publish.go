package learn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/views"
)

// ModelsTopic is the compacted topic the learner publishes its summaries
// on, one record per tenant model keyed "tenant/model" whose value is the
// JSON of views.OutcomeModels: how a server in another process answers
// GET /v1/outcome-models (ModelsReader). One partition: a few records per
// tenant model, compacted to the last.
const ModelsTopic = "outcome-models"

// EnsureModelsTopic creates ModelsTopic (compacted, one partition) unless
// it exists. opts are extra client options (TLS, SASL).
func EnsureModelsTopic(ctx context.Context, brokers []string, opts ...kgo.Opt) error {
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...)}, opts...)...)
	if err != nil {
		return fmt.Errorf("kafka client: %w", err)
	}
	defer cl.Close()
	compact := "compact"
	resp, err := kadm.NewClient(cl).CreateTopic(ctx, 1, -1, map[string]*string{"cleanup.policy": &compact}, ModelsTopic)
	if err == nil {
		err = resp.Err
	}
	if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
		return fmt.Errorf("create topic %q: %w", ModelsTopic, err)
	}
	return nil
}

// Publish produces l's summaries to ModelsTopic every interval, each one
// only when it changed since it was last produced, until ctx ends (then
// once more). opts are extra client options (TLS, SASL).
func Publish(ctx context.Context, l *Learner, brokers []string, interval time.Duration, log *slog.Logger, opts ...kgo.Opt) error {
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...), kgo.DefaultProduceTopic(ModelsTopic)}, opts...)...)
	if err != nil {
		return fmt.Errorf("learn: kafka client: %w", err)
	}
	defer cl.Close()
	last := map[string][]byte{}
	publish := func(ctx context.Context) error {
		var recs []*kgo.Record
		for _, s := range l.Summaries() {
			key := s.Tenant + "/" + s.Models.Model
			b, err := json.Marshal(s.Models)
			if err != nil {
				return err
			}
			if !bytes.Equal(last[key], b) {
				recs = append(recs, &kgo.Record{Key: []byte(key), Value: b})
				last[key] = b
			}
		}
		if len(recs) == 0 {
			return nil
		}
		return cl.ProduceSync(ctx, recs...).FirstErr()
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			stop, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := publish(stop); err != nil {
				log.Warn("outcome models: last publish failed", "err", err)
			}
			return nil
		case <-t.C:
			if err := publish(ctx); err != nil && ctx.Err() == nil {
				// The next tick retries: everything not acknowledged is
				// produced again (last is only a cache of what changed).
				clear(last)
				log.Warn("outcome models: publish failed; retrying", "err", err)
			}
		}
	}
}

// ModelsReader answers GET /v1/outcome-models in a process without a
// learner from ModelsTopic: it reads the topic from its start and keeps
// the last summary per tenant model. Build it with NewModelsReader, run
// it with Run; Models is safe for concurrent use with Run.
type ModelsReader struct {
	brokers []string
	opts    []kgo.Opt
	log     *slog.Logger
	mu      sync.RWMutex
	models  map[string]views.OutcomeModels // by "tenant/model"
}

// NewModelsReader returns a reader of ModelsTopic.
func NewModelsReader(brokers []string, log *slog.Logger, opts ...kgo.Opt) *ModelsReader {
	return &ModelsReader{brokers: brokers, opts: opts, log: log, models: map[string]views.OutcomeModels{}}
}

// Run consumes ModelsTopic until ctx ends.
func (r *ModelsReader) Run(ctx context.Context) error {
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(r.brokers...), kgo.ConsumeTopics(ModelsTopic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart())}, r.opts...)...)
	if err != nil {
		return fmt.Errorf("outcome models reader: %w", err)
	}
	defer cl.Close()
	for {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			return nil
		}
		fs.EachError(func(t string, p int32, err error) {
			r.log.Warn("outcome models reader: fetch failed; retrying", "topic", t, "partition", p, "err", err)
		})
		fs.EachRecord(func(rec *kgo.Record) {
			var m views.OutcomeModels
			if err := json.Unmarshal(rec.Value, &m); err != nil || !strings.Contains(string(rec.Key), "/") {
				r.log.Warn("outcome models reader: record skipped", "key", string(rec.Key), "err", err)
				return
			}
			r.mu.Lock()
			r.models[string(rec.Key)] = m
			r.mu.Unlock()
		})
	}
}

// Models returns the last published summary of the tenant's model.
func (r *ModelsReader) Models(tenant, model string) (views.OutcomeModels, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	m, ok := r.models[tenant+"/"+model]
	return m, ok
}
