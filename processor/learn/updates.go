package learn

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/schemas"
)

// UpdatePublisher produces the updates of the learned parts the learner
// stored (Config.Publish) on the updates topic, keyed tenant/agent as the
// processor's are, so servers' caches move the figures they change
// without reading the store. Best effort, as the processor's updates: a
// failed produce is logged and counted by nothing else (the figures
// follow at the cache's next read of the store).
type UpdatePublisher struct {
	cl    *kgo.Client
	topic string
	log   *slog.Logger
}

// NewUpdatePublisher returns a publisher to topic ("updates" when empty).
func NewUpdatePublisher(brokers []string, topic string, log *slog.Logger, opts ...kgo.Opt) (*UpdatePublisher, error) {
	if topic == "" {
		topic = "updates"
	}
	if log == nil {
		log = slog.Default()
	}
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...)}, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("learn: updates client: %w", err)
	}
	return &UpdatePublisher{cl: cl, topic: topic, log: log.With("component", "learn")}, nil
}

// Publish produces us without waiting for the broker.
func (p *UpdatePublisher) Publish(ctx context.Context, us []schemas.Update) error {
	for i := range us {
		b, err := us[i].AppendJSON(nil)
		if err != nil {
			p.log.Error("encode learned update", "err", err)
			continue
		}
		rec := &kgo.Record{Topic: p.topic, Key: []byte(us[i].Tenant + "/" + us[i].Agent), Value: b}
		p.cl.Produce(ctx, rec, func(_ *kgo.Record, err error) {
			if err != nil && ctx.Err() == nil {
				p.log.Warn("learned update produce failed", "err", err)
			}
		})
	}
	return nil
}

// Close flushes what is buffered (for up to 5 s) and closes the client.
func (p *UpdatePublisher) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = p.cl.Flush(ctx)
	p.cl.Close()
}
