package genesys_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentpulse/agentpulse/ingest/connectors/internal/golden"
)

// TestGolden plays every testdata case (a sequence of deliveries and Expire
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
			c := newConnector(t, genesysDefaults)
			rs := run(t, c, readSteps(t, path))
			base := strings.TrimSuffix(path, ".json")
			golden.Check(t, base+".golden", golden.Interactions(t, rs))
			golden.Check(t, base+".results.golden", golden.Outcomes(rs))
		})
	}
}
