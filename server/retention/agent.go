package retention

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/processor/store"
)

// QuietDays is how long an agent's newest interaction must have ended
// before the agent may be erased: the processor keeps its partitions'
// recent days (--state-horizon, 7 days by default) in memory, and a
// correction folded there would write a bucket part under the agent's
// id again. An agent who left is erased a month later.
const QuietDays = store.MinRetentionDays

// EraseAgent pseudonymises the caller's tenant's agent in the store:
// every interaction, bucket part, rollup and roster part carries
// "erased-…" instead of the id (figures unchanged: the agent becomes an
// anonymous peer in their team's and the population's figures). The
// erasure is recorded under way first (by the id's keyed hash and the
// pseudonym), so that sending it again, or Reapply after a crash, uses
// the same pseudonym; then done, with counts, and audited. The record
// holds the id's keyed hash (subject.go), never the id.
func (r *Runner) EraseAgent(ctx context.Context, c auth.Claims, agent string) (Erasure, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.checkSecret(ctx); err != nil {
		return Erasure{}, err
	}
	e, again := r.erasureOf(c.Tenant, KindAgent, agent)
	newest, known, err := r.newestOf(ctx, c.Tenant, agent)
	if err != nil {
		return Erasure{}, err
	}
	if !known && !again {
		return Erasure{}, &RequestError{Status: http.StatusNotFound, Field: "agent_id", Msg: "agent_id: no such agent in the tenant"}
	}
	if quiet := r.now().AddDate(0, 0, -QuietDays); newest.After(quiet) {
		return Erasure{}, &RequestError{Status: http.StatusConflict, Field: "agent_id", Msg: fmt.Sprintf(
			"agent_id: the agent's newest interaction ended %s; an agent can be erased %d days after their last interaction (%s)",
			newest.Format(time.RFC3339), QuietDays, newest.AddDate(0, 0, QuietDays).Format(time.DateOnly))}
	}
	if err := r.checkPlans(ctx, c.Tenant, agent); err != nil {
		return Erasure{}, err
	}
	e = r.keyed(e, agent) // an erasure recorded with a plain SHA-256 gets a keyed subject
	if !again {
		e = r.keyed(Erasure{ID: newID(), Tenant: c.Tenant, Kind: KindAgent, By: c.Subject, Role: string(c.Role), At: r.now()}, agent)
		e.Pseudonym = "erased-" + e.ID[len("era_"):]
		if err := r.Policy.AddErasure(ctx, e); err != nil {
			return Erasure{}, err
		}
	}
	// Plans first: the store then deletes the plan rows left under the id.
	plans, err := r.erasePlans(ctx, c.Tenant, agent, e.Pseudonym)
	if err != nil {
		return Erasure{}, err
	}
	n, err := r.Store.EraseAgent(ctx, c.Tenant, agent, e.Pseudonym)
	if err != nil {
		return Erasure{}, err
	}
	removed := agentRemoved(n)
	removed["plans"] = plans
	if again && e.Done { // a repeat adds what it found (a crash's leftovers) to the first's counts
		for k, v := range e.Removed {
			removed[k] += v
		}
	}
	e.Done, e.Removed = true, removed
	return e, r.record(ctx, e, fmt.Sprintf("agent pseudonymised as %s: %d stored revisions, %d bucket rows, %d roster rows, %d coaching plans (free text blanked)",
		e.Pseudonym, n.Revisions, n.Buckets, n.Roster, plans))
}

func agentRemoved(n store.AgentErased) map[string]int64 {
	return map[string]int64{"revisions": n.Revisions, "bucket_rows": n.Buckets, "roster_rows": n.Roster}
}

// newestOf returns the ended_at of the agent's newest interaction over
// every model (their roster parts) and whether the agent has any.
func (r *Runner) newestOf(ctx context.Context, tenant, agent string) (time.Time, bool, error) {
	rr, ok := r.Store.(store.RosterReader)
	if !ok {
		return time.Time{}, false, fmt.Errorf("store %T keeps no roster", r.Store)
	}
	var newest time.Time
	known := false
	err := rr.Roster(ctx, tenant, agent, func(p store.RosterPart) error {
		if !p.Empty() {
			known = true
			if p.EndedAt.After(newest) {
				newest = p.EndedAt
			}
		}
		return nil
	})
	return newest, known, err
}
