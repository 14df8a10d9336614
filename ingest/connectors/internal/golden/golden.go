// Package golden compares connector outputs with testdata/*.golden files.
// Run the tests with -update to rewrite the files from the current output:
//
//	go test ./ingest/connectors/... -update
//
// It is imported only by tests.
package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/agentpulse/agentpulse/ingest/connectors"
	"github.com/agentpulse/agentpulse/schemas"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.golden files from the current output")

// Check compares got with the file at path, or writes it under -update.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the tests with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (run with -update if the change is intended)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// Interactions returns the mapped interactions of rs as canonical NDJSON
// (schemas.Interaction.AppendJSON), one per line, and checks that every line
// decodes strictly with schemas.DecodeInteraction.
func Interactions(t testing.TB, rs []connectors.Result) []byte {
	t.Helper()
	var b []byte
	for _, r := range rs {
		if r.Interaction == nil {
			continue
		}
		line := r.Interaction.AppendJSON(nil)
		if _, err := schemas.DecodeInteraction(line); err != nil {
			t.Errorf("%s: mapped interaction does not decode: %v\n%s", r.Ref, err, line)
		}
		b = append(append(b, line...), '\n')
	}
	return b
}

// Outcomes returns one JSON line per result: its ref, tenant and outcome
// (the interaction's id and revision, the skip reason or the error).
func Outcomes(rs []connectors.Result) []byte {
	var b bytes.Buffer
	for _, r := range rs {
		line := struct {
			Ref           string `json:"ref"`
			Tenant        string `json:"tenant"`
			InteractionID string `json:"interaction_id,omitempty"`
			Revision      int64  `json:"revision,omitempty"`
			Skipped       string `json:"skipped,omitempty"`
			Error         string `json:"error,omitempty"`
			// Outcomes are the outcome records found in the record.
			Outcomes []json.RawMessage `json:"outcomes,omitempty"`
		}{Ref: r.Ref, Tenant: r.Tenant, Skipped: r.Skipped}
		for i := range r.Outcomes {
			line.Outcomes = append(line.Outcomes, r.Outcomes[i].AppendJSON(nil))
		}
		if r.Interaction != nil {
			line.InteractionID, line.Revision = r.Interaction.InteractionID, r.Interaction.Revision
		}
		if r.Err != nil {
			line.Error = r.Err.Error()
		}
		data, _ := json.Marshal(line)
		b.Write(data)
		b.WriteByte('\n')
	}
	return b.Bytes()
}
