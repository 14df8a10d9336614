package learn

import (
	"context"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Customer erasures. The stream keeps customers' contacts (their keys)
// for its horizon (~34 days), in memory and in every checkpoint; the
// cells and their archive hold no customer key. With Config.Erasures the
// learner blanks an erased key in every interaction it reads (a replay of
// the log, which keeps the key until its retention, gives the same state
// as the stores hold: the key blanked), and when an erasure is added it
// blanks the key in the stream at once (outcomes.Stream.EraseCustomers),
// drains what that changed and writes a checkpoint, so the checkpoint
// file no longer holds it (a checkpoint replaces the last one by rename).
// At start the erasures made while the learner was stopped are applied the
// same way. The poll for records is cut short when an erasure is added,
// so an idle learner applies it at once too.

// Erasures tells the learner which customer keys were erased.
type Erasures interface {
	// CustomerErased reports whether tenant's customer key was erased.
	CustomerErased(tenant, key string) bool
	// Changed returns a channel closed when an erasure is next added.
	Changed() <-chan struct{}
}

// poll fetches records, returning early (erasing true, no records) when
// an erasure is added meanwhile.
func (l *Learner) poll(ctx context.Context, cl *kgo.Client) (kgo.Fetches, bool) {
	if l.cfg.Erasures == nil {
		return cl.PollFetches(ctx), false
	}
	changed := l.erasing // taken before the last application: an erasure added since has closed it
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-changed:
			cancel()
		case <-done:
		}
	}()
	fs := cl.PollFetches(pctx)
	select {
	case <-changed:
		if ctx.Err() == nil && pctx.Err() != nil {
			return nil, true // the poll was cut short: nothing fetched
		}
		return fs, true
	default:
		return fs, false
	}
}

// eraseCustomers blanks the erased keys in the stream; l.mu is held.
func (l *Learner) eraseCustomers() int {
	l.erasing = l.cfg.Erasures.Changed() // before reading them: none is missed
	n := l.stream.EraseCustomers(l.cfg.Erasures.CustomerErased)
	if n > 0 {
		l.log.Info("customer erasures applied to the outcome learner's state", "contacts", n)
	}
	return n
}
