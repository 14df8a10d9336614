package retention

import (
	"sync"

	"github.com/agentpulse/agentpulse/processor/store"
)

// CustomerErasures recognises erased customer keys for the outcome
// learner (processor/learn's Erasures), which keeps customers' recent
// contacts in memory and in its checkpoint: the policy's customer
// erasures, matched with the erasure secret (an erasure made under
// another secret is not recognised; the servers' Reapply names it).
// Safe for concurrent use.
type CustomerErasures struct {
	Policy *Policy
	Secret []byte

	mu     sync.Mutex
	seq    uint64
	built  bool
	keys   map[string][]byte          // tenant → its subject key
	keyed  map[string]map[string]bool // tenant → keyed subjects erased
	legacy map[string]map[string]bool // tenant → SHA-256 subjects (before keyed subjects)
}

// Changed returns a channel closed when an erasure is next added.
func (c *CustomerErasures) Changed() <-chan struct{} {
	ch, _ := c.Policy.ErasureChanged()
	return ch
}

// CustomerErased reports whether tenant's customer key was erased. A
// tenant without customer erasures costs a map lookup.
func (c *CustomerErasures) CustomerErased(tenant, key string) bool {
	if key == "" {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, seq := c.Policy.ErasureChanged(); !c.built || seq != c.seq {
		c.rebuild(seq)
	}
	if set := c.keyed[tenant]; set != nil && set[store.SubjectHash(c.keys[tenant], key)] {
		return true
	}
	if set := c.legacy[tenant]; set != nil && set[store.SubjectHash(nil, key)] {
		return true
	}
	return false
}

// rebuild indexes the policy's customer erasures by subject. c.mu is held.
func (c *CustomerErasures) rebuild(seq uint64) {
	c.keys, c.keyed, c.legacy = map[string][]byte{}, map[string]map[string]bool{}, map[string]map[string]bool{}
	for _, e := range c.Policy.AllErasures() {
		if e.Kind != KindCustomer {
			continue
		}
		if e.KeyID == "" {
			if c.legacy[e.Tenant] == nil {
				c.legacy[e.Tenant] = map[string]bool{}
			}
			c.legacy[e.Tenant][e.Subject] = true
			continue
		}
		k, ok := c.keys[e.Tenant]
		if !ok {
			k = tenantKey(c.Secret, e.Tenant)
			c.keys[e.Tenant] = k
		}
		if keyIDOf(k) != e.KeyID {
			continue // made under another secret
		}
		if c.keyed[e.Tenant] == nil {
			c.keyed[e.Tenant] = map[string]bool{}
		}
		c.keyed[e.Tenant][e.Subject] = true
	}
	c.seq, c.built = seq, true
}
