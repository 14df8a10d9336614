package genesys

import (
	"fmt"
	"sync"
	"time"

	"github.com/agentpulse/agentpulse/ingest/connectors"
	"github.com/agentpulse/agentpulse/schemas"
)

// JoinerConfig bounds the state the Joiner keeps.
type JoinerConfig struct {
	// Timeout is how long the first half of an interaction waits for the
	// other: a user.end for its acw, an acw for its user.end. It is also
	// how long a joined interaction is remembered after the join so that
	// redeliveries re-emit it. Default (0) 10 minutes.
	Timeout time.Duration
	// MaxPending bounds the interactions held. When full, the one with the
	// earliest deadline is pushed out as if it had timed out. Default (0)
	// 100 000 (a few hundred bytes each).
	MaxPending int
	// MaxPendingPerTenant bounds one tenant's share of MaxPending: past
	// it the tenant's own earliest is pushed out, never another tenant's.
	// Default (0) a quarter of MaxPending.
	MaxPendingPerTenant int
}

// Defaults of JoinerConfig.
const (
	DefaultTimeout    = 10 * time.Minute
	DefaultMaxPending = 100_000
)

// key identifies one agent participant's interaction.
type key struct {
	tenant, conversation, participant string
}

// entry is the state of one interaction.
type entry struct {
	tenant   string
	end, acw *event
	// final is the revision 2 interaction once emitted; redeliveries of
	// either half re-emit it unchanged.
	final *schemas.Interaction
	// failed is set when the last build failed (already reported), so the
	// entry leaves the table without a second report.
	failed bool
}

// Joiner joins the user.end and acw events of each (tenant, conversation,
// participant) into one interaction, in bounded memory:
//
//   - user.end first: revision 1 (talk + hold, acw_pending) is emitted at
//     once; the acw then emits revision 2 (plus wrap-up time and code).
//   - acw first: it waits; the user.end then emits revision 2 directly.
//   - no acw within the timeout: revision 2 is emitted with acw_missing
//     (Expire, or the push-out of a full table).
//   - no user.end within the timeout: the acw is a failed Result (its
//     talk and hold time are unknown), so the dead-letter topic keeps it.
//   - a redelivered half of a joined interaction re-emits the same revision
//     2; the processor ignores the equal revision.
//
// A Joiner is safe for concurrent use. Its state lives in memory only; see
// the package documentation for what a crash loses.
type Joiner struct {
	mu      sync.Mutex
	timeout time.Duration
	table   *connectors.Pending[key, *entry]
	rules   func(tenant string) *connectors.Rules
	secret  func(tenant string) []byte // customer_key_secret
}

func newJoiner(cfg JoinerConfig, rules func(string) *connectors.Rules, secret func(string) []byte) *Joiner {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = DefaultMaxPending
	}
	if cfg.MaxPendingPerTenant <= 0 {
		cfg.MaxPendingPerTenant = max(cfg.MaxPending/4, 1)
	}
	table := connectors.NewPending[key, *entry](cfg.MaxPending)
	table.LimitPerTenant(cfg.MaxPendingPerTenant, func(k key) string { return k.tenant })
	return &Joiner{timeout: cfg.Timeout, table: table, rules: rules, secret: secret}
}

func keyOf(tenant string, e *event) key {
	p := e.str("participantId")
	if p == "" {
		p = e.str("userId")
	}
	return key{tenant: tenant, conversation: e.str("conversationId"), participant: p}
}

func ref(k key, kind string) string {
	return fmt.Sprintf("conversation %s participant %s (%s)", k.conversation, k.participant, kind)
}

// add takes one half and appends the results it causes to out.
func (j *Joiner) add(out []connectors.Result, tenant string, ev *event, now time.Time) []connectors.Result {
	k := keyOf(tenant, ev)
	kind := "user.end"
	if ev.kind == kindACW {
		kind = "acw"
	}
	r := ref(k, kind)
	j.mu.Lock()
	defer j.mu.Unlock()
	e, ok := j.table.Get(k)
	if ok && e.final != nil {
		return append(out, connectors.OK(e.final, r))
	}
	if !ok {
		e = &entry{tenant: tenant}
	}
	if ev.kind == kindACW {
		e.acw = ev
	} else {
		e.end = ev
	}
	if !ok {
		if pk, pe, pushed := j.table.Put(k, e, now.Add(j.timeout)); pushed {
			out = j.giveUp(out, pk, pe, "pushed out of the full join table (raise MaxPending)")
		}
	}
	if e.end == nil {
		return append(out, connectors.Skip(tenant, r, connectors.SkipPending))
	}
	it, err := build(j.rules(tenant), j.secret(tenant), tenant, join{end: e.end, acw: e.acw})
	e.failed = err != nil
	if err != nil {
		return append(out, connectors.Failed(tenant, r, err))
	}
	if e.acw != nil {
		// Remember the joined interaction for a full timeout from now, so
		// redeliveries of either half re-emit it rather than start over.
		e.final = it
		j.table.Touch(k, now.Add(j.timeout))
	}
	return append(out, connectors.OK(it, r))
}

// giveUp appends the result of an entry that leaves the table unjoined.
func (j *Joiner) giveUp(out []connectors.Result, k key, e *entry, why string) []connectors.Result {
	switch {
	case e.final != nil || e.failed:
		return out // already emitted in full, or already dead-lettered
	case e.end != nil:
		r := ref(k, "no acw")
		it, err := build(j.rules(e.tenant), j.secret(e.tenant), e.tenant, join{end: e.end, missing: true})
		if err != nil {
			return append(out, connectors.Failed(e.tenant, r, err))
		}
		return append(out, connectors.OK(it, r))
	default:
		return append(out, connectors.Failed(e.tenant, ref(k, "acw"), fmt.Errorf(
			"after-contact work without its user.end event (%s): talk and hold time are unknown", why)))
	}
}

// Expire ends every wait older than the timeout: a user.end without acw
// becomes revision 2 with acw_missing, an acw without user.end a failed
// Result, and joined interactions are forgotten. Call it periodically (every
// few seconds) with the current time; it holds the lock while it works.
func (j *Joiner) Expire(now time.Time) []connectors.Result {
	var out []connectors.Result
	why := fmt.Sprintf("none arrived within %v", j.timeout)
	j.mu.Lock()
	defer j.mu.Unlock()
	j.table.Expire(now, func(k key, e *entry) {
		out = j.giveUp(out, k, e, why)
	})
	return out
}

// Stats returns the join table's figures.
func (j *Joiner) Stats() connectors.Stats {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.table.Stats()
}
