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
	max     int
	items   map[K]*pendingItem[K, V]
	order   pendingHeap[K, V]
	evicted uint64
	expired uint64
}

type pendingItem[K comparable, V any] struct {
	key      K
	val      V
	deadline time.Time
	index    int
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
	if len(p.items) >= p.max {
		it := heap.Pop(&p.order).(*pendingItem[K, V])
		delete(p.items, it.key)
		p.evicted++
		oldKey, oldVal, pushed = it.key, it.val, true
	}
	it := &pendingItem[K, V]{key: k, val: v, deadline: deadline}
	heap.Push(&p.order, it)
	p.items[k] = it
	return oldKey, oldVal, pushed
}

// Touch moves the deadline of k's entry, if present.
func (p *Pending[K, V]) Touch(k K, deadline time.Time) {
	if it, ok := p.items[k]; ok {
		it.deadline = deadline
		heap.Fix(&p.order, it.index)
	}
}

// Delete removes k if present.
func (p *Pending[K, V]) Delete(k K) {
	if it, ok := p.items[k]; ok {
		heap.Remove(&p.order, it.index)
		delete(p.items, k)
	}
}

// Expire removes every entry whose deadline is not after now and calls fn
// for each, earliest deadline first.
func (p *Pending[K, V]) Expire(now time.Time, fn func(K, V)) {
	for len(p.order) > 0 && !p.order[0].deadline.After(now) {
		it := heap.Pop(&p.order).(*pendingItem[K, V])
		delete(p.items, it.key)
		p.expired++
		fn(it.key, it.val)
	}
}

// Len is the number of entries.
func (p *Pending[K, V]) Len() int { return len(p.items) }

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
