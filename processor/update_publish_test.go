package processor

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/schemas"
)

// TestCatchUpPublishesOneMarker folds a backlog far longer than the
// catch-up distance: no agent update is published for it, one rebuilt
// marker per partition is, after the store holds its offset; records
// arriving near the log end then publish updates as before. Every message
// matches update.schema.json.
func TestCatchUpPublishesOneMarker(t *testing.T) {
	its := simulated(t, 12, 10)
	addr := startBroker(t)
	st := embedded.New()
	backlog := its[:len(its)-40]
	produce(t, addr, backlog)
	ends := endOffsets(t, addr)

	sch := compileUpdateSchema(t)
	var mu sync.Mutex
	markers := map[int32][]int64{}
	var updates []schemas.Update
	var bad []string
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics("updates"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	consumed := make(chan struct{})
	go func() {
		defer close(consumed)
		for ctx.Err() == nil {
			cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
				v, err := jsonschema.UnmarshalJSON(bytes.NewReader(r.Value))
				if err == nil {
					err = sch.Validate(v)
				}
				u, derr := schemas.DecodeUpdate(r.Value)
				mu.Lock()
				defer mu.Unlock()
				if err != nil || derr != nil {
					bad = append(bad, string(r.Value))
					return
				}
				if u.Kind == schemas.KindRebuilt {
					// Published only once the store holds the offset.
					if cp, _ := st.Checkpoint(ctx, u.Partition); cp <= u.Offset {
						bad = append(bad, "marker before its store write: "+string(r.Value))
					}
					markers[u.Partition] = append(markers[u.Partition], u.Offset)
					return
				}
				updates = append(updates, u)
			})
		}
	}()

	p, err := New(Config{Brokers: []string{addr}, Group: "catchup", FlushInterval: 50 * time.Millisecond, FlushRecords: 1000, PollRecords: 300, Logger: quietLogger()}, st)
	if err != nil {
		t.Fatal(err)
	}
	pctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(pctx) }()
	defer func() {
		stop()
		<-done
	}()
	waitCaughtUp(t, st, ends, 60*time.Second)
	waitFor(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(markers) == len(ends)
	})
	// Near the log end: updates again, no marker.
	produce(t, addr, its[len(its)-40:])
	waitCaughtUp(t, st, endOffsets(t, addr), 30*time.Second)
	waitFor(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, u := range updates {
			if u.Offset >= ends[u.Partition] {
				return true
			}
		}
		return false
	})
	time.Sleep(200 * time.Millisecond)
	cancel()
	<-consumed
	checkAgainstReference(t, st, its)

	mu.Lock()
	defer mu.Unlock()
	if len(bad) > 0 {
		t.Fatalf("%d bad messages, first: %s", len(bad), bad[0])
	}
	for part, end := range ends {
		ms := markers[part]
		if len(ms) != 1 {
			t.Fatalf("partition %d: markers at %v, want one", part, ms)
		}
		// The backlog is folded behind until less than the catch-up
		// distance (FlushRecords/10 = 100) is left: the marker covers it.
		if ms[0] < end-1-100 || ms[0] >= end {
			t.Errorf("partition %d: marker at %d, log end %d", part, ms[0], end)
		}
	}
	late := 0
	for _, u := range updates {
		if u.Offset <= markers[u.Partition][0] {
			t.Fatalf("update of partition %d at offset %d, inside the catch-up the marker at %d covers", u.Partition, u.Offset, markers[u.Partition][0])
		}
		if u.Offset >= ends[u.Partition] {
			late++
		}
	}
	if late == 0 {
		t.Fatal("no update for the records produced near the log end")
	}
	t.Logf("%d records of backlog in %d partitions: %d updates (after the markers), markers %v", len(backlog), len(ends), len(updates), markers)
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func compileUpdateSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemas.UpdateSchema))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource(schemas.UpdateSchemaID, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(schemas.UpdateSchemaID)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}
