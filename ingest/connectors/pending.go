package connectors

import (
	"container/heap"
	"time"
)

// Pending is a bounded table of entries that expire at a deadline: the state
// joining connectors keep between the events of one interaction. It holds at
// most its capacity; inserting into a full table pushes out the entry with
// the earliest deadline (the oldest), which the caller then treats exactly
// as if it had expired. Operations are O(log n).
//
// Pending is not safe for concurrent use; its owner serialises access.
type Pending[K comparable, V any] struct {
	max   int
	items map[K]*pendingItem[K, V]
	order pendingHeap[K, V]
	// With LimitPerTenant: each tenant's items by deadline, and its bound.
	tenantOf  func(K) string
	perTenant int
	byTenant  map[string]*tenantHeap[K, V]
	evicted   uint64
	expired   uint64
}

type pendingItem[K comparable, V any] struct {
	key      K
	val      V
	deadline time.Time
	index    int
	tindex   int // in its tenant's heap
}

// NewPending returns an empty table holding at most capacity entries (at
// least 1).
func NewPending[K comparable, V any](capacity int) *Pending[K, V] {
	capacity = max(capacity, 1)
	return &Pending[K, V]{max: capacity, items: make(map[K]*pendingItem[K, V], min(capacity, 1024))}
}

// Get returns the entry of k.
func (p *Pending[K, V]) Get(k K) (V, bool) {
	it, ok := p.items[k]
	if !ok {
		var zero V
		return zero, false
	}
	return it.val, true
}

// Put stores v under k. A new entry gets deadline; an existing one keeps its
// own and only changes value. When a new entry finds the table full, the
// entry with the earliest deadline is removed first and returned with
// pushed true.
func (p *Pending[K, V]) Put(k K, v V, deadline time.Time) (oldKey K, oldVal V, pushed bool) {
	if it, ok := p.items[k]; ok {
		it.val = v
		return oldKey, oldVal, false
	}
	var th *tenantHeap[K, V]
	if p.tenantOf != nil {
		t := p.tenantOf(k)
		if th = p.byTenant[t]; th == nil {
			th = &tenantHeap[K, V]{}
			p.byTenant[t] = th
		}
	}
	switch {
	case th != nil && th.Len() >= p.perTenant:
		// The tenant holds its share: push out its own earliest.
		oldKey, oldVal = p.remove((*th)[0])
		p.evicted++
		pushed = true
	case len(p.items) >= p.max:
		oldKey, oldVal = p.remove(p.order[0])
		p.evicted++
		pushed = true
	}
	it := &pendingItem[K, V]{key: k, val: v, deadline: deadline}
	heap.Push(&p.order, it)
	if th != nil {
		heap.Push(th, it)
	}
	p.items[k] = it
	return oldKey, oldVal, pushed
}

// Touch moves the deadline of k's entry, if present.
func (p *Pending[K, V]) Touch(k K, deadline time.Time) {
	if it, ok := p.items[k]; ok {
		it.deadline = deadline
		heap.Fix(&p.order, it.index)
		if p.tenantOf != nil {
			heap.Fix(p.byTenant[p.tenantOf(k)], it.tindex)
		}
	}
}

// Delete removes k if present.
func (p *Pending[K, V]) Delete(k K) {
	if it, ok := p.items[k]; ok {
		p.remove(it)
	}
}

// Expire removes every entry whose deadline is not after now and calls fn
// for each, earliest deadline first.
func (p *Pending[K, V]) Expire(now time.Time, fn func(K, V)) {
	for len(p.order) > 0 && !p.order[0].deadline.After(now) {
		it := p.order[0]
		p.remove(it)
		p.expired++
		fn(it.key, it.val)
	}
}

// Len is the number of entries.
func (p *Pending[K, V]) Len() int { return len(p.items) }

// LimitPerTenant bounds the items of one tenant (tenantOf names a key's)
// to perTenant: a Put past it pushes out that tenant's own earliest
// deadline, never another tenant's, so one tenant's volume cannot push
// the others' half-joined interactions out. Call it before the first Put.
func (p *Pending[K, V]) LimitPerTenant(perTenant int, tenantOf func(K) string) {
	p.perTenant, p.tenantOf, p.byTenant = max(perTenant, 1), tenantOf, map[string]*tenantHeap[K, V]{}
}

// remove takes it out of the table and its heaps.
func (p *Pending[K, V]) remove(it *pendingItem[K, V]) (K, V) {
	heap.Remove(&p.order, it.index)
	if p.tenantOf != nil {
		t := p.tenantOf(it.key)
		th := p.byTenant[t]
		heap.Remove(th, it.tindex)
		if th.Len() == 0 {
			delete(p.byTenant, t)
		}
	}
	delete(p.items, it.key)
	return it.key, it.val
}

// tenantHeap is one tenant's items by deadline (indexes in tindex).
type tenantHeap[K comparable, V any] []*pendingItem[K, V]

func (h tenantHeap[K, V]) Len() int           { return len(h) }
func (h tenantHeap[K, V]) Less(i, j int) bool { return h[i].deadline.Before(h[j].deadline) }
func (h tenantHeap[K, V]) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].tindex, h[j].tindex = i, j
}
func (h *tenantHeap[K, V]) Push(x any) {
	it := x.(*pendingItem[K, V])
	it.tindex = len(*h)
	*h = append(*h, it)
}
func (h *tenantHeap[K, V]) Pop() any {
	old := *h
	n := len(old)
	it := old[n-1]
	old[n-1] = nil
	it.tindex = -1
	*h = old[:n-1]
	return it
}

// Stats describes a Pending table, for metrics.
type Stats struct {
	// Len and Cap are the entries held and the most it may hold.
	Len, Cap int
	// Pushed counts entries removed early because the table was full (the
	// limit was reached); Expired counts entries removed at their deadline.
	Pushed, Expired uint64
}

// Stats returns the table's figures.
func (p *Pending[K, V]) Stats() Stats {
	return Stats{Len: len(p.items), Cap: p.max, Pushed: p.evicted, Expired: p.expired}
}

// pendingHeap orders items by deadline (container/heap).
type pendingHeap[K comparable, V any] []*pendingItem[K, V]

func (h pendingHeap[K, V]) Len() int { return len(h) }
func (h pendingHeap[K, V]) Less(i, j int) bool {
	return h[i].deadline.Before(h[j].deadline)
}
func (h pendingHeap[K, V]) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *pendingHeap[K, V]) Push(x any) {
	it := x.(*pendingItem[K, V])
	it.index = len(*h)
	*h = append(*h, it)
}
func (h *pendingHeap[K, V]) Pop() any {
	old := *h
	n := len(old)
	it := old[n-1]
	old[n-1] = nil
	it.index = -1
	*h = old[:n-1]
	return it
}
