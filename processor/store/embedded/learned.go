package embedded

import (
	"context"
	"fmt"

	"github.com/agentpulse/agentpulse/processor/store"
)

// ApplyLearned stores the outcome learner's bucket parts (store.LearnedWriter).
func (s *Store) ApplyLearned(_ context.Context, parts []store.Bucket) error {
	for i := range parts {
		if p := parts[i].Partition; p != store.LearnedPartition {
			return fmt.Errorf("learned part %s/%s/%s: partition %d, want %d", parts[i].Tenant, parts[i].Model, parts[i].Agent, p, store.LearnedPartition)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range parts {
		s.applyBucket(parts[i])
		s.learnedVersion = max(s.learnedVersion, parts[i].Version)
	}
	return nil
}

// LearnedVersion returns the highest version of a learned part stored.
func (s *Store) LearnedVersion(context.Context) (int64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.learnedVersion, nil
}
