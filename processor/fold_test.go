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

// TestFoldMovesBetweenDaysAndCollisions: a revision moving an interaction
// to another day moves its entry, and a key hash shared by keys of two
// days (forced: where holds minDay) still finds each in its own day.
func TestFoldMovesBetweenDaysAndCollisions(t *testing.T) {
	f := newFold(0)
	d1 := time.Date(2026, 1, 5, 9, 30, 0, 0, time.UTC)
	d2 := d1.Add(48 * time.Hour)
	a1, b1 := rec("a", 1, "billing", d1, 10), rec("b", 1, "billing", d2, 20)
	f.apply(&a1, 1)
	f.apply(&b1, 2)
	a2 := rec("a", 2, "billing", d2, 30) // moves to b's day
	if ch := f.apply(&a2, 3); !ch.Applied || ch.N != 2 {
		t.Fatalf("move: %+v", ch)
	}
	if n := f.days[dayOf(d1.UnixNano())].index.len(); n != 0 {
		t.Fatalf("old day still indexes %d interactions", n)
	}
	for h := range f.where {
		f.where[h] = minDay // as if every key collided
	}
	for _, it := range []schemas.Interaction{a2, b1} {
		e, d := f.find(&it, keyHash(f.seed, &it))
		if e == nil || e.revision != it.Revision || d.day != dayOf(d2.UnixNano()) {
			t.Fatalf("%s: %+v in %+v", it.InteractionID, e, d)
		}
	}
	if ch := f.apply(&a1, 4); ch.Applied {
		t.Fatal("the older revision applied after the move")
	}
}
