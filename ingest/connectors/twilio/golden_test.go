package twilio_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentpulse/agentpulse/ingest/connectors/internal/golden"
	"github.com/agentpulse/agentpulse/ingest/connectors/twilio"
)

// TestGolden plays every testdata case (signed event callbacks and Expire
// calls, see step) against a fresh connector and compares the interactions
// with <case>.golden and all outcomes with <case>.results.golden.
func TestGolden(t *testing.T) {
	cases, err := filepath.Glob("testdata/*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range cases {
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		if name == "mapping" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			c := newConnector(t, twilio.TrackerConfig{}, publicBase)
			rs := run(t, c, readSteps(t, path))
			base := strings.TrimSuffix(path, ".json")
			golden.Check(t, base+".golden", golden.Interactions(t, rs))
			golden.Check(t, base+".results.golden", golden.Outcomes(rs))
		})
	}
}
