package main

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/ingest"
	"github.com/agentpulse/agentpulse/processor"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/schemas"
)

// restartBenchInteraction is one interaction of the restart benchmark:
// tenant "acme", model "voice", 8 inquiries, teams of 10 agents.
func restartBenchInteraction(agent, id string, x int, ended time.Time) schemas.Interaction {
	psat, pres := 0.5+float64(x%40)/100, 0.6+float64(x%33)/100
	aht := float64(200 + x%300)
	var n int
	fmt.Sscanf(agent, "agent-%d", &n)
	return schemas.Interaction{TenantID: "acme", InteractionID: id, Revision: 1, Model: "voice",
		AgentID: agent, TeamID: fmt.Sprintf("team-%04d", n/10), Inquiry: fmt.Sprintf("inq-%d", x%8),
		StartedAt: ended.Add(-time.Duration(aht) * time.Second), EndedAt: ended, HandleTimeS: aht,
		PredictedSatisfaction: &psat, PredictedResolution: &pres, Source: "api"}
}

// restartBenchAgent appends agent a's interactions of the slots [lo, hi)
// (slot 0 is the newest): 8 per slot (one inquiry per slot), a slot being
// an hour every 7 hours going back from 2 hours before end, oldest slot
// first; perAgent interactions in all slots. The very last agent's slot 0
// also has one that ended 1 minute before end (the model's latest data).
func restartBenchAgent(out []schemas.Interaction, a, agents, perAgent, lo, hi int, end time.Time) []schemas.Interaction {
	agent := fmt.Sprintf("agent-%05d", a)
	for slot := hi - 1; slot >= lo; slot-- {
		for k := slot * 8; k < min(slot*8+8, perAgent); k++ {
			ended := end.Add(-2*time.Hour - time.Duration(slot*7)*time.Hour).Add(time.Duration((a*13+k*7)%3600) * time.Second)
			it := restartBenchInteraction(agent, fmt.Sprintf("i-%05d-%05d", a, k), a+slot, ended)
			it.HandleTimeS = float64(200 + (a*7+k*13)%300)
			out = append(out, it)
		}
	}
	if a == agents-1 && lo == 0 {
		out = append(out, restartBenchInteraction(agent, fmt.Sprintf("i-%05d-latest", a), a, end.Add(-time.Minute)))
	}
	return out
}

// versionOf is a roster part's version, 0 for none.
func versionOf(p *store.RosterPart) int64 {
	if p == nil {
		return 0
	}
	return p.Version
}

// loadRestartState puts agents × perAgent interactions on the broker's
// interactions topic (keyed as ingest keys them) and writes to st what a
// processor folding them would have stored: every record with its offset,
// every bucket part, each agent's roster part (its newest interaction in
// the partition: the server knows agents and their teams from these), and
// each partition's checkpoint at the topic's end. No snapshot: the first
// processor loads the history from the store and writes one.
// It returns how many interactions it loaded.
//
// The history goes out oldest first, four weeks of every agent at a time
// (as a live center's log is: in time order), so that each store write
// holds a month or two: ClickHouse partitions the tables by month, and a
// write spanning a year made a dozen parts per table and ran ~15× slower
// per record at 10^7. Writes to the store run beside the producing.
func loadRestartState(tb testing.TB, brokerAddr string, st store.Writer, agents, perAgent int, end time.Time) int {
	tb.Helper()
	ctx := context.Background()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokerAddr), kgo.DefaultProduceTopic("interactions"),
		kgo.RequiredAcks(kgo.AllISRAcks()), kgo.ProducerBatchMaxBytes(4<<20), kgo.MaxBufferedRecords(1<<20), kgo.ProducerLinger(0))
	if err != nil {
		tb.Fatal(err)
	}
	defer cl.Close()
	type rosterKey struct{ tenant, agent, model string }
	type partState struct {
		records []store.Record
		buckets map[store.BucketKey]*store.Bucket
		roster  map[rosterKey]*store.RosterPart // each agent's newest interaction in the partition so far
		next    int64
	}
	parts := map[int32]*partState{}
	writes := make(chan store.Batch, 2)
	written := make(chan error, 1)
	go func() {
		var first error
		for b := range writes {
			if first == nil {
				first = st.Apply(ctx, b)
			}
		}
		written <- first
	}()
	// apply hands a partition's records so far, its buckets and roster
	// parts (final: a chunk holds whole agent-slots) to the writer.
	apply := func(p int32, s *partState) {
		b := store.Batch{Partition: p, Records: s.records, Next: s.next}
		for _, bk := range s.buckets {
			b.Buckets = append(b.Buckets, *bk)
		}
		for _, rp := range s.roster {
			b.Roster = append(b.Roster, *rp)
		}
		clear(s.buckets)
		clear(s.roster)
		s.records = make([]store.Record, 0, cap(s.records))
		writes <- b
	}
	total, nextReport := 0, agents*perAgent/10
	var chunk []schemas.Interaction
	slots := (perAgent + 7) / 8
	const window = 96 // slots of 7 hours: four weeks
	for hi := slots; hi > 0; hi -= window {
		lo := max(0, hi-window)
		for a := range agents {
			chunk = restartBenchAgent(chunk, a, agents, perAgent, lo, hi, end)
			if len(chunk) < 20_000 && (lo > 0 || a < agents-1) {
				continue
			}
			recs := make([]*kgo.Record, len(chunk))
			for i := range chunk {
				recs[i] = &kgo.Record{Key: ingest.Key(&chunk[i]), Value: chunk[i].AppendJSON(nil)}
			}
			if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
				tb.Fatal(err)
			}
			for i, r := range recs {
				s := parts[r.Partition]
				if s == nil {
					s = &partState{buckets: map[store.BucketKey]*store.Bucket{}, roster: map[rosterKey]*store.RosterPart{}}
					parts[r.Partition] = s
				}
				it := chunk[i]
				s.records = append(s.records, store.Record{Interaction: it, Partition: r.Partition, Offset: r.Offset})
				key := processor.BucketKeyOf(&it)
				bk := s.buckets[key]
				if bk == nil {
					bk = &store.Bucket{BucketKey: key, Partition: r.Partition}
					s.buckets[key] = bk
				}
				bk.Sums.Add(&it)
				bk.Version = max(bk.Version, r.Offset)
				rk := rosterKey{it.TenantID, it.AgentID, it.Model}
				part := store.RosterPart{Tenant: it.TenantID, Agent: it.AgentID, Model: it.Model, Partition: r.Partition,
					Team: it.TeamID, InteractionID: it.InteractionID, EndedAt: it.EndedAt, Version: r.Offset}
				if old := s.roster[rk]; old == nil || store.NewerPart(&part, old) {
					part.Version = max(part.Version, versionOf(old))
					s.roster[rk] = &part
				}
				s.next = max(s.next, r.Offset+1)
			}
			for p, s := range parts {
				if len(s.records) >= 50_000 {
					apply(p, s)
				}
			}
			total += len(chunk)
			chunk = chunk[:0]
			if total >= nextReport {
				fmt.Fprintf(os.Stderr, "restart bench set-up: %d of %d interactions produced\n", total, agents*perAgent)
				nextReport += agents * perAgent / 10
			}
		}
	}
	for p, s := range parts {
		apply(p, s)
	}
	close(writes)
	if err := <-written; err != nil {
		tb.Fatal(err)
	}
	return total
}
