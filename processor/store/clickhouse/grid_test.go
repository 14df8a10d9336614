package clickhouse

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/views"
)

// TestRunbookOffGridQuery runs docs/RUNBOOK.md's query for bucket parts
// stored before sums were on the grid: it is valid on this server and
// counts the newest version of each part, off the grid or not.
func TestRunbookOffGridQuery(t *testing.T) {
	doc, err := os.ReadFile("../../../docs/RUNBOOK.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	i := strings.Index(text, "Count the parts stored off the grid")
	if i < 0 {
		t.Fatal("RUNBOOK has no query for parts off the grid")
	}
	text = text[i:]
	start := strings.Index(text, "```sql\n")
	end := strings.Index(text[start+7:], "```")
	if start < 0 || end < 0 {
		t.Fatal("RUNBOOK's query is not in a sql block")
	}
	db := newDatabase(t)
	s := openStore(t, db)
	query := strings.ReplaceAll(text[start+7:start+7+end], "agentpulse.", db+".")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	hour := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	part := func(agent string, version int64, handle, psat float64) store.Bucket {
		return store.Bucket{BucketKey: store.BucketKey{Tenant: "t", Model: "voice", Agent: agent, Team: "A", Inquiry: "x", Hour: hour},
			Version: version, Sums: views.Sums{Volume: 1, HandleSum: handle, PsatN: 1, PsatSum: psat}}
	}
	if err := s.Apply(ctx, store.Batch{Partition: 0, Next: 10, Buckets: []store.Bucket{
		part("a", 1, 61.5, 0.25),  // on the grid
		part("b", 2, 0.1, 0.5),    // an old fold's 0.1 s
		part("c", 3, 60, 0.8),     // an old fold's 0.8
		part("d", 4, 0.1, 0.5),    // off the grid, then rewritten on it:
		part("d", 5, 0.125, 0.75), // the newest version counts
	}}); err != nil {
		t.Fatal(err)
	}
	var n uint64
	if err := s.conn.QueryRow(ctx, query).Scan(&n); err != nil {
		t.Fatalf("RUNBOOK query fails: %v\n%s", err, query)
	}
	if n != 2 {
		t.Fatalf("RUNBOOK query counts %d parts off the grid, want 2 (b and c)", n)
	}
}
