package storetest

import (
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
)

type ikey struct{ tenant, id string }

// bkey is a BucketKey with the hour as unix seconds, so equal hours in
// different locations are one key.
type bkey struct {
	tenant, model, team, agent, inquiry string
	hour                                int64
}

func bkeyOf(k store.BucketKey) bkey {
	return bkey{k.Tenant, k.Model, k.Team, k.Agent, k.Inquiry, k.Hour.Unix()}
}

// pkey names one partition's part of a bucket.
type pkey struct {
	bkey
	partition int32
}

// oracle is the store contract as plain maps: what every read must return
// after a sequence of Apply calls.
type oracle struct {
	records     []store.Record
	buckets     map[pkey]store.Bucket
	checkpoints map[int32]int64
}

func newOracle() *oracle {
	return &oracle{buckets: map[pkey]store.Bucket{}, checkpoints: map[int32]int64{}}
}

func (o *oracle) apply(b store.Batch) {
	o.records = append(o.records, b.Records...)
	for _, bk := range b.Buckets {
		k := pkey{bkeyOf(bk.BucketKey), bk.Partition}
		if old, ok := o.buckets[k]; ok && old.Version > bk.Version {
			continue
		}
		bk.Hour = bk.Hour.UTC()
		o.buckets[k] = bk
	}
	if b.Next > o.checkpoints[b.Partition] {
		o.checkpoints[b.Partition] = b.Next
	}
}

// newest returns, per interaction, the record with the highest revision
// among those keep accepts; the first applied wins a tie.
func (o *oracle) newest(keep func(*store.Record) bool) map[ikey]store.Record {
	out := map[ikey]store.Record{}
	for i := range o.records {
		r := &o.records[i]
		if keep != nil && !keep(r) {
			continue
		}
		k := ikey{r.TenantID, r.InteractionID}
		if cur, ok := out[k]; !ok || r.Revision > cur.Revision {
			out[k] = *r
		}
	}
	return out
}

func (o *oracle) bucketsOf(q store.BucketQuery) []store.Bucket {
	var out []store.Bucket
	for _, b := range o.buckets {
		if b.Tenant != q.Tenant || b.Model != q.Model || b.Volume == 0 ||
			b.Hour.Before(q.From) || !b.Hour.Before(q.To) ||
			q.Agent != "" && b.Agent != q.Agent || q.Team != "" && b.Team != q.Team ||
			q.Inquiry != "" && b.Inquiry != q.Inquiry {
			continue
		}
		out = append(out, b)
	}
	return out
}

func (o *oracle) recent(tenant, model, agent, inquiry string, limit int) []schemas.Interaction {
	var out []schemas.Interaction
	for _, r := range o.newest(nil) {
		if r.TenantID == tenant && r.Model == model && r.AgentID == agent && r.Inquiry == inquiry {
			out = append(out, r.Interaction)
		}
	}
	sortRecent(out)
	if limit <= 0 {
		return nil
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

func sortRecent(its []schemas.Interaction) {
	sort.Slice(its, func(i, j int) bool {
		if !its[i].EndedAt.Equal(its[j].EndedAt) {
			return its[i].EndedAt.After(its[j].EndedAt)
		}
		return its[i].InteractionID > its[j].InteractionID
	})
}

func (o *oracle) latest(tenant, model string) (time.Time, bool) {
	var newest time.Time
	found := false
	for _, r := range o.newest(nil) {
		if r.TenantID == tenant && r.Model == model && (!found || r.EndedAt.After(newest)) {
			newest, found = r.EndedAt, true
		}
	}
	return newest, found
}

func (o *oracle) load(partition int32, below int64) []store.Record {
	var out []store.Record
	for _, r := range o.newest(func(r *store.Record) bool { return r.Partition == partition && r.Offset < below }) {
		out = append(out, r)
	}
	return out
}

// scope lists what a snapshot reads: every tenant and model pair, and
// every (tenant, model, agent, inquiry) any applied revision named, plus
// ones that exist nowhere; and every partition.
type scope struct {
	tenants, models []string
	recents         [][4]string
	partitions      []int32
}

func (o *oracle) scope() scope {
	tenants := map[string]bool{"no-such-tenant": true}
	models := map[string]bool{"nosuchmodel": true}
	recents := map[[4]string]bool{}
	for i := range o.records {
		r := &o.records[i]
		tenants[r.TenantID], models[r.Model] = true, true
		recents[[4]string{r.TenantID, r.Model, r.AgentID, r.Inquiry}] = true
	}
	if len(o.records) > 0 {
		r := &o.records[0]
		recents[[4]string{"no-such-tenant", r.Model, r.AgentID, r.Inquiry}] = true
		recents[[4]string{r.TenantID, "nosuchmodel", r.AgentID, r.Inquiry}] = true
		recents[[4]string{r.TenantID, r.Model, "no-such-agent", r.Inquiry}] = true
		recents[[4]string{r.TenantID, r.Model, r.AgentID, "no such inquiry"}] = true
	}
	var sc scope
	sc.tenants = slices.Sorted(maps.Keys(tenants))
	sc.models = slices.Sorted(maps.Keys(models))
	sc.recents = slices.SortedFunc(maps.Keys(recents), func(a, b [4]string) int {
		return strings.Compare(strings.Join(a[:], "\x00"), strings.Join(b[:], "\x00"))
	})
	parts := map[int32]bool{99: true}
	for _, r := range o.records {
		parts[r.Partition] = true
	}
	for p := range o.checkpoints {
		parts[p] = true
	}
	sc.partitions = slices.Sorted(maps.Keys(parts))
	return sc
}
