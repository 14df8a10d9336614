package plans_test

import (
	"errors"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/server/plans"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// TestSweepHeldWhileCatchingUp: while Config.Hold says the store is
// catching up, the sweeper neither settles nor publishes a due plan (it
// would be judged on part of the history); once released, it does.
func TestSweepHeldWhileCatchingUp(t *testing.T) {
	e, p, _ := accessFixture(t)
	catching := errors.New("catching up")
	hold := catching
	pub := &recorder{}
	svc, err := plans.New(plans.Config{
		Plans: e.st.(store.PlanStore), Store: e.st, Views: storeview.New(e.st, params), Verifier: auth.Verifier{Secret: secret},
		Publisher: pub, Now: e.clock.now, Hold: func() error { return hold },
	})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.set(mustDate(t, p.TargetDate).Add(time.Hour))
	if err := svc.Sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
	rec, err := e.planStore().Plan(t.Context(), e.tenant, p.ID)
	if err != nil || rec.Plan.Status != views.PlanInProgress {
		t.Fatalf("held sweep: plan %q, %v; want in progress", rec.Plan.Status, err)
	}
	if _, n := pub.last("plan:" + p.ID); n != 0 {
		t.Fatalf("held sweep published %d messages", n)
	}
	hold = nil
	if err := svc.Sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
	rec, err = e.planStore().Plan(t.Context(), e.tenant, p.ID)
	if err != nil || (rec.Plan.Status != views.PlanAchieved && rec.Plan.Status != views.PlanMissed) {
		t.Fatalf("released sweep: plan %q, %v; want settled", rec.Plan.Status, err)
	}
	if _, n := pub.last("plan:" + p.ID); n == 0 {
		t.Fatal("released sweep published nothing")
	}
}
