package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
)

// testKeyFilters: Keys(p, below) names exactly the interactions that
// LoadPartition(p, below) returns, at every offset; SaveKeyFilter keeps
// the filter built below the highest offset, and KeyFilter returns it.
func testKeyFilters(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx := context.Background()
	p, q := newFeed(0), newFeed(1)
	a1 := ix("t1", "A", 1, "x", "billing", t0)
	a2 := ix("t1", "A", 2, "y", "refund", t0.Add(40*24*time.Hour)) // moved to another agent, month and inquiry
	b1 := ix("t1", "B", 1, "x", "billing", t0)
	tA := ix("t2", "A", 1, "x", "billing", t0) // same id, other tenant
	d1 := ix("t1", "D", 1, "z", "billing", t0)
	mustValid(t, a1, a2, b1, tA, d1)
	bp1 := p.batch(a1, b1)
	p.skip(2)
	bp2 := p.batch(a2, tA, a1) // a1 again: a stale redelivery
	bq := q.batch(d1)
	apply(t, s, bp1, bq, bp2)
	keysOf := func(partition int32, below int64) []string {
		var out []string
		if err := s.Keys(ctx, partition, below, func(k store.InteractionKey) error {
			out = append(out, k.Tenant+"/"+k.ID)
			return nil
		}); err != nil {
			t.Fatalf("Keys(%d, %d): %v", partition, below, err)
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	for partition, end := range map[int32]int64{0: bp2.Next, 1: bq.Next, 2: 3} {
		for below := int64(-1); below <= end+1; below++ {
			var want []string
			for _, r := range readLoad(t, s, partition, below) {
				want = append(want, r.TenantID+"/"+r.InteractionID)
			}
			slices.Sort(want)
			if got := keysOf(partition, below); !slices.Equal(got, want) {
				t.Errorf("Keys(%d, %d) = %v; want %v (LoadPartition's)", partition, below, got, want)
			}
		}
	}
	stop := errors.New("stop here")
	if err := s.Keys(ctx, 0, 1<<62, func(store.InteractionKey) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("Keys returned %v, want fn's error", err)
	}

	check := func(what string, partition int32, wantBelow int64, want []byte) {
		t.Helper()
		below, data, err := s.KeyFilter(ctx, partition)
		if err != nil {
			t.Fatalf("%s: KeyFilter(%d): %v", what, partition, err)
		}
		if below != wantBelow || !bytes.Equal(data, want) {
			t.Errorf("%s: KeyFilter(%d) = %d, %q; want %d, %q", what, partition, below, data, wantBelow, want)
		}
	}
	save := func(partition int32, below int64, data []byte) {
		t.Helper()
		if err := s.SaveKeyFilter(ctx, partition, below, data); err != nil {
			t.Fatalf("SaveKeyFilter(%d, %d): %v", partition, below, err)
		}
	}
	check("none", 0, 0, nil)
	ten := []byte("ten\x00\xff")
	save(0, 10, ten)
	check("first", 0, 10, ten)
	check("other partition", 1, 0, nil)
	save(0, 5, []byte("five"))
	check("older saved later", 0, 10, ten)
	big := bytes.Repeat([]byte{0, 1, 2, 0xfe}, 1<<18)
	save(0, 20, big)
	check("newer", 0, 20, big)
	save(1, 1, []byte(fmt.Sprint(1)))
	check("partition 1", 1, 1, []byte("1"))
}
