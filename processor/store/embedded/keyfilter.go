package embedded

import (
	"context"

	"github.com/agentpulse/agentpulse/processor/store"
)

// Keys calls fn with the key of every interaction partition applied below
// below, once each.
func (s *Store) Keys(_ context.Context, partition int32, below int64, fn func(store.InteractionKey) error) error {
	s.mu.RLock()
	var out []store.InteractionKey
	for k, head := range s.recs {
		if newestBelow(head, partition, below) != nil {
			out = append(out, store.InteractionKey{Tenant: k.tenant, ID: k.id})
		}
	}
	s.mu.RUnlock()
	for _, k := range out {
		if err := fn(k); err != nil {
			return err
		}
	}
	return nil
}

// SaveKeyFilter keeps partition's key filter unless one built below a
// higher offset is kept already.
func (s *Store) SaveKeyFilter(_ context.Context, partition int32, builtBelow int64, filter []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.keyFilters[partition]; !ok || builtBelow >= old.next {
		s.keyFilters[partition] = snapshot{next: builtBelow, data: append([]byte(nil), filter...)}
	}
	return nil
}

// KeyFilter returns partition's newest key filter and the offset it was
// built below.
func (s *Store) KeyFilter(_ context.Context, partition int32) (int64, []byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	f, ok := s.keyFilters[partition]
	if !ok {
		return 0, nil, nil
	}
	return f.next, append([]byte(nil), f.data...), nil
}
