package processor

import (
	"context"
	"fmt"
	"hash/fnv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
)

// preGridSnapshots serves every stored snapshot as the version before
// sums were on the grid ("APS3"), counting how often one was read.
type preGridSnapshots struct {
	store.Store
	read *atomic.Int64
}

func (p preGridSnapshots) Snapshot(ctx context.Context, partition int32) (int64, []byte, error) {
	at, snap, err := p.Store.Snapshot(ctx, partition)
	if len(snap) >= 4 {
		snap = append([]byte("APS3"), snap[4:]...)
		p.read.Add(1)
	}
	return at, snap, err
}

// TestRestartFromPreGridSnapshot: a processor restarting on snapshots of
// the version before the grid refuses them, loads its partitions from the
// store (re-summing every part on the grid) and writes new snapshots; then
// corrections beyond the horizon of interactions with millisecond handle
// times land bit for bit as the reference computes them.
func TestRestartFromPreGridSnapshot(t *testing.T) {
	its := simulated(t, 6, 12)
	for i := range its {
		h := fnv.New32a()
		fmt.Fprintf(h, "%s/%d", its[i].InteractionID, its[i].Revision)
		its[i].HandleTimeS += float64(h.Sum32()%1000) / 1000
	}
	addr := startBroker(t)
	st := embedded.New()
	cfg := Config{StateHorizon: 24 * time.Hour}
	_, stop := runConfigured(t, addr, st, "pregrid", cfg)
	produce(t, addr, its)
	waitCaughtUp(t, st, endOffsets(t, addr), 60*time.Second)
	stop()

	var read atomic.Int64
	old := preGridSnapshots{Store: st, read: &read}
	reg, stop := runConfigured(t, addr, old, "pregrid", cfg)
	defer stop()
	offsets := endOffsets(t, addr)
	for deadline := time.Now().Add(30 * time.Second); counter(t, reg, "agentpulse_processor_snapshots_total") < float64(len(offsets)); {
		if time.Now().After(deadline) {
			t.Fatalf("%v snapshots written after loading %d partitions from the store, want one each", counter(t, reg, "agentpulse_processor_snapshots_total"), len(offsets))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if read.Load() == 0 {
		t.Fatal("no snapshot was read: the restart did not meet an old one")
	}
	fix := oldCorrections(its, "g", 100)
	its = append(its, fix...)
	produce(t, addr, fix)
	waitCaughtUp(t, st, endOffsets(t, addr), 60*time.Second)
	checkAgainstReference(t, st, its)
}
