package app

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/processor/store/planlog"
)

// OpenPlanStore returns where coaching plans are kept: ClickHouse's plans
// tables with a ClickHouse store; with the embedded store, its in-memory
// plans kept durable on the broker's "plans" topic (replayed now). close
// releases what it opened.
func OpenPlanStore(ctx context.Context, st store.Store, seeds []string, log *slog.Logger, opts ...kgo.Opt) (ps store.PlanStore, close func(), err error) {
	if mem, ok := st.(*embedded.Store); ok {
		l, err := planlog.Open(ctx, planlog.Config{Brokers: seeds, ClientOpts: opts, Logger: log}, mem)
		if err != nil {
			return nil, nil, fmt.Errorf("plans on the broker: %w", err)
		}
		return l, func() { _ = l.Close() }, nil
	}
	ps, ok := st.(store.PlanStore)
	if !ok {
		return nil, nil, fmt.Errorf("store %T keeps no coaching plans", st)
	}
	return ps, func() {}, nil
}
