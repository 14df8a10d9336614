package embedded

import (
	"github.com/agentpulse/agentpulse/processor/store"
)

var (
	_ store.Summer       = (*Store)(nil)
	_ store.ModelsLister = (*Store)(nil)
)
