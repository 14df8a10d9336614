package processor

import (
	"context"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/schemas"
)

// publish sends an update without waiting for it.
func (p *Processor) publish(ctx context.Context, u *schemas.Update) {
	b, err := u.AppendJSON(nil)
	if err != nil {
		p.log.Error("encode update", "err", err)
		return
	}
	rec := &kgo.Record{Topic: p.cfg.UpdatesTopic, Key: []byte(u.Tenant + "/" + u.Agent), Value: b}
	p.client.Produce(ctx, rec, func(_ *kgo.Record, err error) {
		if err != nil {
			p.metrics.updatesFailed.Inc()
			p.log.Warn("update produce failed", "err", err)
			return
		}
		p.metrics.updatesSent.Inc()
	})
}
