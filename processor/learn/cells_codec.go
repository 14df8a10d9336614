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

// encode writes the cells' part of the checkpoint: the tenants' cursors
// by tenant, then the interactions by (tenant, id), so the same state
// encodes to the same bytes.
func (c *cells) encode(e *outcomes.Encoder) {
	tenants := make([]string, 0, len(c.newest))
	for t := range c.newest {
		tenants = append(tenants, t)
	}
	slices.Sort(tenants)
	e.Uvarint(uint64(len(tenants)))
	for _, t := range tenants {
		e.Str(t)
		e.Time(c.newest[t])
		e.Varint(c.evicted[t])
	}
	keys := make([]ixKey, 0, len(c.ix))
	for k := range c.ix {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b ixKey) int { return cmp.Or(cmp.Compare(a.tenant, b.tenant), cmp.Compare(a.id, b.id)) })
	e.Uvarint(uint64(len(keys)))
	for _, k := range keys {
		v := c.ix[k]
		e.Str(k.tenant)
		e.Str(k.id)
		e.Varint(v.Revision)
		e.Str(c.strs[v.Key.model])
		e.Str(c.strs[v.Key.team])
		e.Str(c.strs[v.Key.agent])
		e.Str(c.strs[v.Key.inquiry])
		e.Varint(v.Key.hour)
		e.Bool(v.FeedSat)
		e.Bool(v.FeedRes)
		encodeScore(e, v.Sat)
		encodeScore(e, v.Res)
	}
}

// encodeScore writes a target's score: one byte of flags (predicted,
// labelled, positive), then the prediction when predicted.
func encodeScore(e *outcomes.Encoder, s score) {
	var f uint64
	if s.OK {
		f |= 1
	}
	if s.Has {
		f |= 2
	}
	if s.Value {
		f |= 4
	}
	e.Uvarint(f)
	if s.OK {
		e.F64(s.P)
	}
}

func decodeScore(d *outcomes.Decoder) score {
	f := d.Uvarint("score")
	s := score{OK: f&1 != 0, Has: f&2 != 0, Value: f&4 != 0}
	if f > 7 || (!s.OK && f != 0) || (s.Value && !s.Has) {
		d.Fail("score flags")
		return score{}
	}
	if s.OK {
		s.P = d.F64("score")
	}
	return s
}

// decode restores what encode wrote into empty cells.
func (c *cells) decode(d *outcomes.Decoder) error {
	for range d.Count(3, "cells tenants") {
		t := c.strs[c.number(d.Str("cells tenant"))]
		newest, evicted := d.Time("cells newest"), d.Varint("cells evicted day")
		if d.Err() != nil {
			break
		}
		if t == "" {
			return errors.New("cells: a tenant cursor without tenant")
		}
		c.newest[t], c.evicted[t] = newest, evicted
	}
	var prev ixKey
	for i := range d.Count(8, "cells interactions") {
		tn := c.number(d.Str("cells tenant"))
		k := ixKey{c.strs[tn], d.Str("cells interaction")}
		v := &ixCell{Revision: d.Varint("cells revision")}
		v.Key = bkey{tenant: tn, model: c.number(d.Str("cells model")), team: c.number(d.Str("cells team")),
			agent: c.number(d.Str("cells agent")), inquiry: c.number(d.Str("cells inquiry")), hour: d.Varint("cells hour")}
		v.FeedSat, v.FeedRes = d.Bool("cells feed_sat"), d.Bool("cells feed_res")
		v.Sat, v.Res = decodeScore(d), decodeScore(d)
		if d.Err() != nil {
			return d.Err()
		}
		if k.tenant == "" || k.id == "" {
			return fmt.Errorf("cells: interaction %q of tenant %q: empty key", k.id, k.tenant)
		}
		if i > 0 && cmp.Or(cmp.Compare(prev.tenant, k.tenant), cmp.Compare(prev.id, k.id)) >= 0 {
			return fmt.Errorf("cells: interaction %s/%s out of order", k.tenant, k.id)
		}
		prev = k
		c.ix[k] = v
		c.members[v.Key] = append(c.members[v.Key], k.id) // in id order: the interactions come sorted
	}
	if err := d.Err(); err != nil {
		return err
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
