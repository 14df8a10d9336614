package app

import (
	"context"
	"testing"

	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// TestLabelWatch: updates mark agents once until drained; only a move
// into Needs work from a label seen before counts (the first look, a
// restart, records only; staying in Needs work is not a new entry).
func TestLabelWatch(t *testing.T) {
	w := newLabelWatch()
	ctx := context.Background()
	w.touch(ctx, schemas.Update{Tenant: "acme", Model: "chat", Agent: "a1"})
	w.touch(ctx, schemas.Update{Tenant: "acme", Model: "chat", Agent: "a1"})
	w.touch(ctx, schemas.Update{Tenant: "acme", Model: "voice", Agent: "a2"})
	if got := w.drain(); len(got) != 2 {
		t.Fatalf("drained %v", got)
	}
	if got := w.drain(); len(got) != 0 {
		t.Fatalf("drained again %v", got)
	}
	k := [4]string{"acme", "chat", "a1", "billing"}
	for i, c := range []struct {
		label views.Label
		want  bool
	}{
		{views.LabelNeedsWork, false}, // first look: recorded only
		{views.LabelGood, false},
		{views.LabelNeedsWork, true},
		{views.LabelNeedsWork, false},
		{views.LabelGreat, false},
		{views.LabelNeedsWork, true},
	} {
		if got := w.entered(k, c.label); got != c.want {
			t.Errorf("step %d (%s): entered = %v, want %v", i, c.label, got, c.want)
		}
	}
}
