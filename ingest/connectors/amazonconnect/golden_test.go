package amazonconnect_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentpulse/agentpulse/ingest/connectors/internal/golden"
)

// TestGolden maps every testdata case (see casePayloads) delivered in one
// Firehose request and compares the interactions with <case>.golden and all
// outcomes with <case>.results.golden.
func TestGolden(t *testing.T) {
	cases, err := filepath.Glob("testdata/*.json")
	if err != nil {
		t.Fatal(err)
	}
	c := newConnector(t)
	for _, path := range cases {
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		if name == "mapping" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			body := envelope(t, requestID, casePayloads(t, path)...)
			_, rs := deliver(t, c, body)
			base := strings.TrimSuffix(path, ".json")
			golden.Check(t, base+".golden", golden.Interactions(t, rs))
			golden.Check(t, base+".results.golden", golden.Outcomes(rs))
		})
	}
}
