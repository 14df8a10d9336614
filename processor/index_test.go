package processor

import (
	"fmt"
	"hash/maphash"
	"strings"
	"testing"

	"github.com/agentpulse/agentpulse/schemas"
)

// TestAppliedIndex stores more keys than one page holds, some of them
// long and some prefixes of others, finds each with its own value, and
// finds nothing for keys never stored.
func TestAppliedIndex(t *testing.T) {
	x := newAppliedIndex(maphash.MakeSeed())
	key := func(i int) *schemas.Interaction {
		id := fmt.Sprintf("i%d", i)
		if i%1000 == 0 {
			id += strings.Repeat("x", 1<<18) // long keys
		}
		return &schemas.Interaction{TenantID: fmt.Sprintf("t%d", i%3), InteractionID: id}
	}
	const n = 1<<16 + 5000
	for i := range n {
		it := key(i)
		e, h := x.get(it)
		if e != nil {
			t.Fatalf("key %d found before it was added", i)
		}
		x.add(it, h).revision = int64(i)
	}
	if x.len() != n {
		t.Fatalf("len %d, want %d", x.len(), n)
	}
	for i := range n {
		e, _ := x.get(key(i))
		if e == nil || e.revision != int64(i) {
			t.Fatalf("key %d: %+v", i, e)
		}
	}
	for _, it := range []*schemas.Interaction{
		{TenantID: "t0", InteractionID: "i1"}, // i1 is in t1
		{TenantID: "t1", InteractionID: "i"},
		{TenantID: "t1", InteractionID: "i10x"},
		{TenantID: "t", InteractionID: "1\x00i1"},
		{TenantID: "t1\x00i1"},
	} {
		if e, _ := x.get(it); e != nil {
			t.Errorf("%q/%q found: %+v", it.TenantID, it.InteractionID, e)
		}
	}
}

// TestAppliedIndexCollisions chains keys that share a hash (forced: a
// 64-bit collision does not happen by chance in a test).
func TestAppliedIndexCollisions(t *testing.T) {
	x := newAppliedIndex(maphash.MakeSeed())
	its := []*schemas.Interaction{{TenantID: "a", InteractionID: "1"}, {TenantID: "a", InteractionID: "2"}, {TenantID: "b", InteractionID: "1"}}
	for i, it := range its {
		if e := x.lookup(it, 42); e != nil {
			t.Fatalf("%d found before it was added", i)
		}
		x.add(it, 42).revision = int64(i + 1)
	}
	for i, it := range its {
		if e := x.lookup(it, 42); e == nil || e.revision != int64(i+1) {
			t.Errorf("%d: %+v", i, e)
		}
	}
	if e := x.lookup(&schemas.Interaction{TenantID: "b", InteractionID: "2"}, 42); e != nil {
		t.Errorf("absent key found: %+v", e)
	}
}
