package clickhouse

import (
	"fmt"

	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/processor/store"
)

// interactionColumns is a batch's records laid out column by column, in the
// order of interactionInsertColumns. Built once per Apply and appended to a
// fresh driver batch on every attempt, so a retry re-sends exactly the same
// rows. The index insert reuses a subset of the columns.
type interactionColumns struct {
	tenant, agent, model, inquiry []string
	endedNS                       []int64
	id                            []string
	revision                      []int64
	partition                     []int32
	offset                        []int64
	team                          []string
	startedNS                     []int64
	startedOff, endedOff          []int32
	handle                        []float64
	psat, pres                    []*float64
	source, refs, attrs           []string
	hold, queueWait               []*float64
	transfers                     []*int64
	customer, chain, initiation   []string
}

// interactionInsertColumns is the explicit column list of the interactions
// insert (18.16 needs one for batch inserts), in the order of the values.
const interactionInsertColumns = "tenant_id, agent_id, model, inquiry, ended_at_ns, interaction_id, revision, " +
	"log_partition, log_offset, team_id, started_at_ns, started_at_offset, ended_at_offset, handle_time_s, " +
	"predicted_satisfaction, predicted_resolution, source, source_refs, attributes, " +
	"hold_s, queue_wait_s, transfers, customer_key, chain_id, initiation"

// revisionInsertColumns is the column list of the interaction_revisions insert.
const revisionInsertColumns = "tenant_id, interaction_id, revision, log_partition, log_offset, ended_at_ns"

// newInteractionColumns lays out the records of one or more batches, in
// order.
func newInteractionColumns(batches ...[]store.Record) (*interactionColumns, error) {
	n := 0
	for _, recs := range batches {
		n += len(recs)
	}
	c := &interactionColumns{
		tenant: make([]string, n), agent: make([]string, n), model: make([]string, n), inquiry: make([]string, n),
		endedNS: make([]int64, n), id: make([]string, n), revision: make([]int64, n),
		partition: make([]int32, n), offset: make([]int64, n), team: make([]string, n),
		startedNS: make([]int64, n), startedOff: make([]int32, n), endedOff: make([]int32, n),
		handle: make([]float64, n), psat: make([]*float64, n), pres: make([]*float64, n),
		source: make([]string, n), refs: make([]string, n), attrs: make([]string, n),
		hold: make([]*float64, n), queueWait: make([]*float64, n), transfers: make([]*int64, n),
		customer: make([]string, n), chain: make([]string, n), initiation: make([]string, n),
	}
	i := 0
	for _, recs := range batches {
		for k := range recs {
			r := &recs[k]
			if r.Offset < 0 {
				return nil, fmt.Errorf("record %s/%s at offset %d: negative offset: %w", r.TenantID, r.InteractionID, r.Offset, ErrInvalidBatch)
			}
			var err error
			if c.startedNS[i], c.startedOff[i], err = encodeTime("started_at", r.StartedAt); err != nil {
				return nil, fmt.Errorf("record %s/%s: %w", r.TenantID, r.InteractionID, err)
			}
			if c.endedNS[i], c.endedOff[i], err = encodeTime("ended_at", r.EndedAt); err != nil {
				return nil, fmt.Errorf("record %s/%s: %w", r.TenantID, r.InteractionID, err)
			}
			// source_refs and attributes are stored as their canonical
			// JSON text, which the record holds: no encoding, no copy.
			c.refs[i], c.attrs[i] = r.SourceRefs.JSON(), r.Attributes.JSON()
			c.tenant[i], c.agent[i], c.model[i], c.inquiry[i] = r.TenantID, r.AgentID, r.Model, r.Inquiry
			c.id[i], c.revision[i] = r.InteractionID, r.Revision
			c.partition[i], c.offset[i], c.team[i] = r.Partition, r.Offset, r.TeamID
			c.handle[i], c.psat[i], c.pres[i] = r.HandleTimeS, r.PredictedSatisfaction, r.PredictedResolution
			c.source[i] = r.Source
			c.hold[i], c.queueWait[i], c.transfers[i] = r.HoldS, r.QueueWaitS, r.Transfers
			c.customer[i], c.chain[i], c.initiation[i] = r.CustomerKey, r.ChainID, r.Initiation
			i++
		}
	}
	return c, nil
}

// interactionValues returns the columns of the interactions insert, in the
// order of interactionInsertColumns.
func (c *interactionColumns) interactionValues() []any {
	return []any{c.tenant, c.agent, c.model, c.inquiry, c.endedNS, c.id, c.revision,
		c.partition, c.offset, c.team, c.startedNS, c.startedOff, c.endedOff, c.handle,
		c.psat, c.pres, c.source, c.refs, c.attrs,
		c.hold, c.queueWait, c.transfers, c.customer, c.chain, c.initiation}
}

// revisionValues returns the columns of the interaction_revisions insert,
// in the order of revisionInsertColumns.
func (c *interactionColumns) revisionValues() []any {
	return []any{c.tenant, c.id, c.revision, c.partition, c.offset, c.endedNS}
}

// bucketColumns is a batch's buckets laid out column by column, in the
// order of bucketInsertColumns.
type bucketColumns struct {
	tenant, model, agent, inquiry, team []string
	hour                                []int64 // unix seconds
	partition                           []int32
	volume                              []int64
	handleSum                           []float64
	psatN                               []int64
	psatSum                             []float64
	presN                               []int64
	presSum                             []float64
	lsat, lres                          learnedColumns
	version                             []uint64
}

// learnedColumns are one learned cell's columns (outcomes.Cell).
type learnedColumns struct {
	n, labels, pos []int64
	sumP, exp      []float64
}

func newLearnedColumns(n int) learnedColumns {
	return learnedColumns{n: make([]int64, n), labels: make([]int64, n), pos: make([]int64, n),
		sumP: make([]float64, n), exp: make([]float64, n)}
}

func (c learnedColumns) set(i int, cell outcomes.Cell) {
	c.n[i], c.sumP[i], c.labels[i], c.pos[i], c.exp[i] = cell.N, cell.SumP, cell.Labels, cell.Pos, cell.Exp
}

// values are the columns in valueColumns' order (n, sum_p, labels, pos, exp).
func (c learnedColumns) values() []any { return []any{c.n, c.sumP, c.labels, c.pos, c.exp} }

var bucketInsertColumns = "tenant_id, model, agent_id, inquiry, team_id, hour, log_partition, " + valueList + ", version"

// newBucketColumns lays out the buckets of one or more batches, in order.
func newBucketColumns(batches ...[]store.Bucket) (*bucketColumns, error) {
	n := 0
	for _, bs := range batches {
		n += len(bs)
	}
	c := &bucketColumns{
		tenant: make([]string, n), model: make([]string, n), agent: make([]string, n), inquiry: make([]string, n),
		team: make([]string, n), hour: make([]int64, n), partition: make([]int32, n), volume: make([]int64, n), handleSum: make([]float64, n),
		psatN: make([]int64, n), psatSum: make([]float64, n), presN: make([]int64, n), presSum: make([]float64, n),
		lsat: newLearnedColumns(n), lres: newLearnedColumns(n), version: make([]uint64, n),
	}
	i := 0
	for _, bs := range batches {
		for k := range bs {
			b := &bs[k]
			if b.Version < 0 {
				return nil, fmt.Errorf("bucket %s/%s/%s: negative version %d: %w", b.Tenant, b.Model, b.Agent, b.Version, ErrInvalidBatch)
			}
			h, err := hourSeconds(b.Hour)
			if err != nil {
				return nil, err
			}
			c.tenant[i], c.model[i], c.agent[i], c.inquiry[i], c.team[i] = b.Tenant, b.Model, b.Agent, b.Inquiry, b.Team
			c.hour[i], c.partition[i], c.version[i] = int64(h), b.Partition, uint64(b.Version)
			c.volume[i], c.handleSum[i] = b.Volume, b.HandleSum
			c.psatN[i], c.psatSum[i], c.presN[i], c.presSum[i] = b.PsatN, b.PsatSum, b.PresN, b.PresSum
			c.lsat.set(i, b.Lsat)
			c.lres.set(i, b.Lres)
			i++
		}
	}
	return c, nil
}

func (c *bucketColumns) values() []any {
	out := []any{c.tenant, c.model, c.agent, c.inquiry, c.team, c.hour, c.partition, c.volume, c.handleSum,
		c.psatN, c.psatSum, c.presN, c.presSum}
	out = append(out, c.lsat.values()...)
	out = append(out, c.lres.values()...)
	return append(out, c.version)
}
