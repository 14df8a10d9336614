package twilio

import (
	"fmt"
	"sync"
	"time"

	"github.com/agentpulse/agentpulse/ingest/connectors"
	"github.com/agentpulse/agentpulse/schemas"
)

// TrackerConfig bounds the state the Tracker keeps.
type TrackerConfig struct {
	// Timeout is how long a task's first tracked event waits for the rest:
	// a reservation.accepted for its completion (so it must exceed the
	// longest handling, talk plus wrap-up), a completion for its late
	// reservation.accepted. Default (0) 24 hours, the longest handle time
	// the schema allows.
	Timeout time.Duration
	// Retain is how long a finished task is remembered after its
	// interaction was emitted, so that redelivered or doubled completions
	// (reservation.completed and task.completed) re-emit the same
	// interaction. Default (0) 10 minutes.
	Retain time.Duration
	// MaxPending bounds the tasks held. When full, the task with the
	// earliest deadline is pushed out as if it had timed out. Default (0)
	// 100 000.
	MaxPending int
	// MaxPendingPerTenant bounds one tenant's share of MaxPending: past
	// it the tenant's own earliest is pushed out, never another tenant's.
	// Default (0) a quarter of MaxPending.
	MaxPendingPerTenant int
}

// Defaults of TrackerConfig.
const (
	DefaultTimeout    = 24 * time.Hour
	DefaultRetain     = 10 * time.Minute
	DefaultMaxPending = 100_000
)

type key struct{ tenant, task string }

// entry is the state of one task.
type entry struct {
	tenant    string
	accepted  *event // the latest reservation.accepted
	wrapup    *event // the earliest wrap-up event
	completed *event // the earliest completion event
	final     *schemas.Interaction
	failed    bool // the build failed and was reported
}

// Tracker keeps, per (tenant, TaskSid), the reservation.accepted, wrap-up
// and completion events of a task until it can emit the task's interaction:
//
//   - reservation.accepted, then reservation.wrapup or task.wrapup, then
//     reservation.completed or task.completed: the completion emits the
//     interaction (revision 1). Events may arrive in any order; a
//     completion without its reservation.accepted waits for it.
//   - a second completion (TaskRouter sends both reservation.completed and
//     task.completed) or a redelivery re-emits the same interaction for
//     Retain after the first.
//   - a task that is not complete within Timeout is a failed Result naming
//     what arrived and what is missing, so the dead-letter topic keeps it.
//
// A Tracker is safe for concurrent use. Its state lives in memory only; see
// the package documentation for what a crash loses.
type Tracker struct {
	mu    sync.Mutex
	cfg   TrackerConfig
	table *connectors.Pending[key, *entry]
	rules func(tenant string) *connectors.Rules
	// secret is the tenant's customer_key_secret, for the tenant's
	// "customer" mapping rules (TaskRouter has no customer field of its own).
	secret func(tenant string) []byte
}

func newTracker(cfg TrackerConfig, rules func(string) *connectors.Rules, secret func(string) []byte) *Tracker {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Retain <= 0 {
		cfg.Retain = DefaultRetain
	}
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = DefaultMaxPending
	}
	if cfg.MaxPendingPerTenant <= 0 {
		cfg.MaxPendingPerTenant = max(cfg.MaxPending/4, 1)
	}
	table := connectors.NewPending[key, *entry](cfg.MaxPending)
	table.LimitPerTenant(cfg.MaxPendingPerTenant, func(k key) string { return k.tenant })
	return &Tracker{cfg: cfg, table: table, rules: rules, secret: secret}
}

// add records one tracked event and appends the results it causes.
func (t *Tracker) add(out []connectors.Result, tenant string, ev *event, now time.Time) []connectors.Result {
	task := ev.get("TaskSid")
	r := eventRef(ev)
	if task == "" {
		return append(out, connectors.Failed(tenant, r, errNoTask))
	}
	at, err := eventTime(ev.params)
	if err != nil {
		return append(out, connectors.Failed(tenant, r, err))
	}
	ev.at = at
	k := key{tenant: tenant, task: task}
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.table.Get(k)
	if ok && e.final != nil {
		if ev.kind == kindCompleted {
			return append(out, connectors.OK(e.final, r))
		}
		return append(out, connectors.Skip(tenant, r, connectors.SkipNotTerminal))
	}
	if !ok {
		e = &entry{tenant: tenant}
		if pk, pe, pushed := t.table.Put(k, e, now.Add(t.cfg.Timeout)); pushed {
			out = giveUp(out, pk, pe, "pushed out of the full task table (raise MaxPending)")
		}
	}
	switch ev.kind {
	case kindAccepted:
		e.accepted = ev
	case kindWrapup:
		if e.wrapup == nil || ev.at.Before(e.wrapup.at) {
			e.wrapup = ev
		}
	case kindCompleted:
		if e.completed == nil || ev.at.Before(e.completed.at) {
			e.completed = ev
		}
	}
	if e.accepted == nil || e.completed == nil {
		return append(out, connectors.Skip(tenant, r, connectors.SkipPending))
	}
	it, err := build(t.rules(tenant), t.secret(tenant), tenant, e)
	e.failed = err != nil
	if err != nil {
		return append(out, connectors.Failed(tenant, r, err))
	}
	e.final = it
	t.table.Touch(k, now.Add(t.cfg.Retain))
	return append(out, connectors.OK(it, r))
}

// giveUp appends the result of a task that leaves the table unfinished.
func giveUp(out []connectors.Result, k key, e *entry, why string) []connectors.Result {
	if e.final != nil || e.failed {
		return out
	}
	r := "task " + k.task
	var err error
	switch {
	case e.accepted != nil:
		err = fmt.Errorf("reservation %s was accepted at %s by %s but the task never completed (%s)",
			e.accepted.get("ReservationSid"), e.accepted.at.Format(time.RFC3339), e.accepted.get("WorkerSid"), why)
	case e.completed != nil:
		err = fmt.Errorf("the task completed at %s but its reservation.accepted never arrived (%s): the handle time is unknown",
			e.completed.at.Format(time.RFC3339), why)
	default:
		err = fmt.Errorf("only a wrap-up event arrived at %s (%s): the handle time is unknown", e.wrapup.at.Format(time.RFC3339), why)
	}
	return append(out, connectors.Failed(e.tenant, r, err))
}

// Expire ends the waits that reached their deadline: unfinished tasks
// become failed Results, finished ones are forgotten. Call it periodically
// (every few seconds) with the current time; it holds the lock while it
// works.
func (t *Tracker) Expire(now time.Time) []connectors.Result {
	var out []connectors.Result
	why := fmt.Sprintf("nothing more arrived within %v", t.cfg.Timeout)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.table.Expire(now, func(k key, e *entry) { out = giveUp(out, k, e, why) })
	return out
}

// Stats returns the task table's figures.
func (t *Tracker) Stats() connectors.Stats {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.table.Stats()
}
