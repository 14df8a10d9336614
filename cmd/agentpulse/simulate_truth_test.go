package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentpulse/agentpulse/schemas"
)

// TestSimulateOutcomesAndTruth: --predictions=false, --outcomes and
// --truth write valid, deterministic files; the interactions are those of
// stdout without predictions.
func TestSimulateOutcomesAndTruth(t *testing.T) {
	run := func() (string, string, string) {
		dir := t.TempDir()
		out, outs, truth := filepath.Join(dir, "sim.ndjson"), filepath.Join(dir, "outcomes.ndjson"), filepath.Join(dir, "truth.ndjson")
		if _, err := simulate(t, append(small, "--predictions=false", "--out", out, "--outcomes", outs, "--truth", truth)...); err != nil {
			t.Fatal(err)
		}
		var files [3]string
		for i, p := range []string{out, outs, truth} {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			files[i] = string(b)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 3 {
			t.Errorf("temporary files left behind: %v", entries)
		}
		return files[0], files[1], files[2]
	}
	its, outs, truth := run()
	its2, outs2, truth2 := run()
	if its != its2 || outs != outs2 || truth != truth2 {
		t.Fatal("the same flags gave different files")
	}
	withPreds, err := simulate(t, small...)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(its, "predicted_") || !strings.Contains(withPreds, "predicted_") || strings.Count(its, "\n") != strings.Count(withPreds, "\n") {
		t.Error("--predictions=false did not just leave the predictions out")
	}
	sc := bufio.NewScanner(strings.NewReader(outs))
	n := 0
	for sc.Scan() {
		if _, err := schemas.DecodeOutcome(sc.Bytes()); err != nil {
			t.Fatalf("outcome line %d: %v", n+1, err)
		}
		n++
	}
	if n == 0 {
		t.Error("no survey answers")
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(truth)))
	rows := 0
	for dec.More() {
		var row struct {
			AgentID string  `json:"agent_id"`
			Inquiry string  `json:"inquiry"`
			Volume  int     `json:"volume"`
			Psat    float64 `json:"psat"`
			Pres    float64 `json:"pres"`
			AES     float64 `json:"aes"`
		}
		if err := dec.Decode(&row); err != nil {
			t.Fatal(err)
		}
		if row.AgentID == "" || row.Inquiry == "" || row.Volume < 1 || row.Psat <= 0 || row.Psat >= 1 || row.Pres <= 0 || row.Pres >= 1 || row.AES <= 0 {
			t.Fatalf("truth row %+v", row)
		}
		rows++
	}
	if rows == 0 {
		t.Error("empty truth")
	}
}
