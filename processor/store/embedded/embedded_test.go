package embedded

import (
	"testing"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s := New()
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}

func TestPlanConformance(t *testing.T) {
	storetest.RunPlans(t, func(t *testing.T) store.PlanStore { return New() })
}
