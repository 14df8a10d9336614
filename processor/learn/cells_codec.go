package learn

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
)

// cellsHorizon is how long the cells keep a bucket after its hour (in
// event time, behind the tenant's newest ended_at): a day more than the
// stream keeps a contact, so every contact the stream may still emit has
// its bucket held.
func cellsHorizon(cfg outcomes.Config, lateness time.Duration) time.Duration {
	cfg = cfg.WithDefaults()
	return time.Duration(max(cfg.OutcomeDays, cfg.RepeatDays, 31))*24*time.Hour + lateness + 48*time.Hour
}

// cellsFile is the cells' part of the checkpoint: slices sorted by key,
// so the same state encodes to the same bytes.
type cellsFile struct {
	Interactions []ixCellFile   `json:"interactions"`
	Tenants      []tenantCursor `json:"tenants"`
}

type ixCellFile struct {
	Tenant   string        `json:"tenant"`
	ID       string        `json:"id"`
	Revision int64         `json:"revision"`
	Model    string        `json:"model"`
	Team     string        `json:"team"`
	Agent    string        `json:"agent"`
	Inquiry  string        `json:"inquiry"`
	Hour     time.Time     `json:"hour"`
	FeedSat  bool          `json:"feed_sat,omitempty"`
	FeedRes  bool          `json:"feed_res,omitempty"`
	Sat      outcomes.Cell `json:"sat,omitzero"`
	Res      outcomes.Cell `json:"res,omitzero"`
}

type tenantCursor struct {
	Tenant  string    `json:"tenant"`
	Newest  time.Time `json:"newest"`
	Evicted int64     `json:"evicted_day"`
}

// file returns the state to checkpoint; nil for nil cells.
func (c *cells) file() *cellsFile {
	if c == nil {
		return nil
	}
	f := &cellsFile{Interactions: make([]ixCellFile, 0, len(c.ix)), Tenants: []tenantCursor{}}
	for k, v := range c.ix {
		f.Interactions = append(f.Interactions, ixCellFile{Tenant: k.tenant, ID: k.id, Revision: v.Revision,
			Model: v.Key.Model, Team: v.Key.Team, Agent: v.Key.Agent, Inquiry: v.Key.Inquiry, Hour: v.Key.Hour,
			FeedSat: v.FeedSat, FeedRes: v.FeedRes, Sat: v.Sat, Res: v.Res})
	}
	slices.SortFunc(f.Interactions, func(a, b ixCellFile) int {
		return cmp.Or(cmp.Compare(a.Tenant, b.Tenant), cmp.Compare(a.ID, b.ID))
	})
	for t, n := range c.newest {
		f.Tenants = append(f.Tenants, tenantCursor{Tenant: t, Newest: n, Evicted: c.evicted[t]})
	}
	slices.SortFunc(f.Tenants, func(a, b tenantCursor) int { return cmp.Compare(a.Tenant, b.Tenant) })
	return f
}

// load restores a checkpointed state into empty cells; nil leaves them
// empty (a checkpoint written before learned parts existed).
func (c *cells) load(f *cellsFile) error {
	if f == nil {
		return nil
	}
	for _, t := range f.Tenants {
		if t.Tenant == "" {
			return errors.New("cells: a tenant cursor without tenant")
		}
		c.newest[t.Tenant], c.evicted[t.Tenant] = t.Newest.UTC(), t.Evicted
	}
	for _, e := range f.Interactions {
		k := ixKey{c.intern(e.Tenant), e.ID}
		if e.Tenant == "" || e.ID == "" {
			return fmt.Errorf("cells: interaction %q of tenant %q: empty key", e.ID, e.Tenant)
		}
		if c.ix[k] != nil {
			return fmt.Errorf("cells: interaction %s/%s twice", e.Tenant, e.ID)
		}
		key := store.BucketKey{Tenant: c.intern(e.Tenant), Model: c.intern(e.Model), Team: c.intern(e.Team),
			Agent: c.intern(e.Agent), Inquiry: c.intern(e.Inquiry), Hour: e.Hour.UTC()}
		c.ix[k] = &ixCell{Revision: e.Revision, Key: key, FeedSat: e.FeedSat, FeedRes: e.FeedRes, Sat: e.Sat, Res: e.Res}
		m := c.members[key]
		if m == nil {
			m = map[string]bool{}
			c.members[key] = m
		}
		m[e.ID] = true
	}
	// A checkpoint is taken with nothing dirty: every bucket's stored
	// value is its value now.
	for k := range c.members {
		if b := c.value(k); !b.Sums.Empty() {
			c.held[k] = true
		}
	}
	return nil
}

// learnedUpdates are the updates of stored learned parts: one per tenant,
// model and agent (parts come sorted by key, so an agent's are adjacent),
// partition store.LearnedPartition, offset the parts' version.
func learnedUpdates(parts []store.Bucket) []schemas.Update {
	var out []schemas.Update
	for i := range parts {
		b := &parts[i]
		if n := len(out); n == 0 || out[n-1].Tenant != b.Tenant || out[n-1].Model != b.Model || out[n-1].Agent != b.Agent {
			out = append(out, schemas.Update{Tenant: b.Tenant, Model: b.Model, Agent: b.Agent,
				Partition: store.LearnedPartition, Offset: b.Version})
		}
		u := &out[len(out)-1]
		u.Buckets = append(u.Buckets, schemas.UpdateBucket{Team: b.Team, Inquiry: b.Inquiry, Hour: b.Hour,
			Sums: schemas.UpdateSums(b.Sums), Version: b.Version})
	}
	return out
}
