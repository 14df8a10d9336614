package backfill

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/ingest/simulator"
	"github.com/agentpulse/agentpulse/schemas"
)

// simulated returns n valid interactions from the simulator.
func simulated(t testing.TB, n int) []schemas.Interaction {
	t.Helper()
	cfg := simulator.DefaultConfig(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
	cfg.Agents, cfg.Days, cfg.Tenants = 40, 3, 2
	g, err := simulator.New(cfg, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []schemas.Interaction
	errEnough := errors.New("enough")
	_, err = g.Each(context.Background(), func(it *schemas.Interaction) error {
		out = append(out, *it)
		if len(out) == n {
			return errEnough
		}
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		t.Fatal(err)
	}
	if len(out) < n {
		t.Fatalf("the simulator gave %d records, want %d", len(out), n)
	}
	return out
}

// ndjsonOf encodes interactions as NDJSON.
func ndjsonOf(its []schemas.Interaction) []byte {
	var b []byte
	for i := range its {
		b = its[i].AppendJSON(b)
		b = append(b, '\n')
	}
	return b
}

// csvHeaderLine is a header with every column.
const csvHeaderLine = "tenant_id,interaction_id,revision,model,agent_id,team_id,inquiry,started_at,ended_at,handle_time_s,predicted_satisfaction,predicted_resolution,source,source_refs,attributes\n"

// csvAllHeaderLine adds the optional inputs of learned outcomes: the header
// of csvRowOf's rows.
const csvAllHeaderLine = "tenant_id,interaction_id,revision,model,agent_id,team_id,inquiry,started_at,ended_at,handle_time_s,predicted_satisfaction,predicted_resolution,source,source_refs,attributes," +
	"hold_s,queue_wait_s,transfers,customer_key,chain_id,initiation\n"

// csvRowOf writes it as a CSV row under csvAllHeaderLine.
func csvRowOf(it *schemas.Interaction) string {
	num := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', -1, 64)
	}
	quote := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	transfers := ""
	if it.Transfers != nil {
		transfers = strconv.FormatInt(*it.Transfers, 10)
	}
	refs := ""
	if !it.SourceRefs.IsZero() {
		b, _ := json.Marshal(it.SourceRefs)
		refs = quote(string(b))
	}
	return strings.Join([]string{
		it.TenantID, it.InteractionID, strconv.FormatInt(it.Revision, 10), it.Model, it.AgentID, it.TeamID,
		quote(it.Inquiry), it.StartedAt.Format(time.RFC3339Nano), it.EndedAt.Format(time.RFC3339Nano),
		strconv.FormatFloat(it.HandleTimeS, 'f', -1, 64), num(it.PredictedSatisfaction), num(it.PredictedResolution),
		it.Source, refs, "",
		num(it.HoldS), num(it.QueueWaitS), transfers, it.CustomerKey, it.ChainID, it.Initiation,
	}, ",") + "\n"
}

// csvOf encodes interactions as a CSV file with every column.
func csvOf(its []schemas.Interaction) []byte {
	var b strings.Builder
	b.WriteString(csvAllHeaderLine)
	for i := range its {
		b.WriteString(csvRowOf(&its[i]))
	}
	return []byte(b.String())
}

// readAll reads every item of a file's content from position at (for CSV,
// the header is read from the start first).
func readAll(t testing.TB, f Format, data []byte, at Position) []Item {
	t.Helper()
	var h *CSVHeader
	if f == FormatCSV {
		var end Position
		var err error
		h, end, err = ReadCSVHeader(bytes.NewReader(data), 0)
		if err != nil {
			t.Fatalf("header: %v", err)
		}
		if at.Offset < end.Offset {
			at = end
		}
	}
	rd, err := NewReader(f, bytes.NewReader(data[at.Offset:]), h, at, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []Item
	for {
		it, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, it)
	}
}
