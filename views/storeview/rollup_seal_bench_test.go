package storeview_test

import (
	"context"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
)

// benchSeal seals every day and month of st before the newest day (the
// compactor's steady state) and returns how long it took; 0 for a store
// without rollups.
func benchSeal(b *testing.B, st store.Store) time.Duration {
	c, ok := st.(store.Compactor)
	if !ok {
		return 0
	}
	t0 := time.Now()
	s, err := c.Compact(context.Background(), time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("sealed %d days, %d runs of days and %d months in %v", s.Days, s.Blocks, s.Months, time.Since(t0).Round(time.Millisecond))
	return time.Since(t0)
}
