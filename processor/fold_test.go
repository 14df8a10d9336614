package processor

import (
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
)

func rec(id string, rev int64, inquiry string, ended time.Time, handle float64) schemas.Interaction {
	return schemas.Interaction{
		TenantID: "t", InteractionID: id, Revision: rev, Model: "voice", AgentID: "a", TeamID: "x",
		Inquiry: inquiry, StartedAt: ended.Add(-time.Minute), EndedAt: ended, HandleTimeS: handle, Source: "api",
	}
}

// TestFoldRevisionsAndRedelivery folds by hand: a new interaction, its
// redelivery, a higher revision that moves it to another inquiry and hour,
// and a late lower revision.
func TestFoldRevisionsAndRedelivery(t *testing.T) {
	f := newFold(0)
	h9 := time.Date(2026, 1, 5, 9, 30, 0, 0, time.UTC)
	h11 := time.Date(2026, 1, 5, 11, 5, 0, 0, time.UTC)
	r1 := rec("i1", 1, "billing", h9, 100)
	if ch := f.apply(&r1, 10); !ch.Applied || ch.N != 1 {
		t.Fatalf("new interaction: %+v", ch)
	}
	if ch := f.apply(&r1, 11); ch.Applied {
		t.Fatalf("redelivery applied: %+v", ch)
	}
	r2 := rec("i1", 2, "technical", h11, 250)
	ch := f.apply(&r2, 12)
	if !ch.Applied || ch.N != 2 || ch.RetractedRevision != 1 {
		t.Fatalf("revision: %+v", ch)
	}
	if ch := f.apply(&r1, 13); ch.Applied {
		t.Fatalf("lower revision applied: %+v", ch)
	}
	b := f.takeBatch(14)
	if b.Next != 14 || len(b.Records) != 2 || len(b.Buckets) != 2 {
		t.Fatalf("batch: next %d, %d records, %d buckets; want 14, 2, 2", b.Next, len(b.Records), len(b.Buckets))
	}
	for _, bk := range b.Buckets {
		switch bk.Inquiry {
		case "billing":
			if bk.Volume != 0 || bk.HandleSum != 0 || bk.Version != 12 || !bk.Hour.Equal(h9.Truncate(time.Hour)) {
				t.Errorf("billing bucket %+v: want empty, version 12 (the retraction)", bk)
			}
		case "technical":
			if bk.Volume != 1 || bk.HandleSum != 250 || bk.Version != 12 || !bk.Hour.Equal(h11.Truncate(time.Hour)) {
				t.Errorf("technical bucket %+v: want 1 × 250 s at 11:00, version 12", bk)
			}
		}
	}
	if b := f.takeBatch(15); len(b.Records) != 0 || len(b.Buckets) != 0 {
		t.Fatalf("second batch not empty: %+v", b)
	}
}
