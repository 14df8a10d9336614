package admit

import "sync"

// Slots bounds requests in flight: Total at once over every key, PerKey
// at once for one key.
type Slots struct {
	total, perKey int

	mu    sync.Mutex
	used  int
	byKey map[string]int
}

// New returns slots for total requests at once, perKey of them for one
// key. perKey <= 0 means DefaultPerKey(total); it never exceeds total.
func New(total, perKey int) *Slots {
	total = max(total, 1)
	if perKey <= 0 {
		perKey = DefaultPerKey(total)
	}
	return &Slots{total: total, perKey: min(perKey, total), byKey: map[string]int{}}
}

// DefaultPerKey is the share of total one key may hold when none is
// configured: a quarter, at least one. Four tenants must then misbehave
// together to take every slot.
func DefaultPerKey(total int) int { return max(total/4, 1) }

// Total returns the bound over every key.
func (s *Slots) Total() int { return s.total }

// PerKey returns the bound of one key.
func (s *Slots) PerKey() int { return s.perKey }

// Limit names the bound a refused Acquire met.
type Limit int

// Limits of Acquire.
const (
	None   Limit = iota // admitted
	Global              // every slot is taken
	Key                 // the key holds its share
)

// Acquire takes a slot for key. It returns a release func (call it once)
// and None, or nil and the limit that refused it.
func (s *Slots) Acquire(key string) (release func(), refused Limit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.byKey[key] >= s.perKey:
		return nil, Key
	case s.used >= s.total:
		return nil, Global
	}
	s.used++
	s.byKey[key]++
	var once sync.Once
	return func() { once.Do(func() { s.release(key) }) }, None
}

func (s *Slots) release(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.used--
	if s.byKey[key]--; s.byKey[key] <= 0 {
		delete(s.byKey, key)
	}
}

// InUse returns the slots taken, over every key.
func (s *Slots) InUse() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.used
}
