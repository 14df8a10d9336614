package outcomes

import (
	"bytes"
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// arrival is one record of a log: a contact or an outcome.
type arrival struct {
	at time.Time
	c  *Contact
	o  *Outcome
}

// logOf orders records as a feed delivers them: by event time plus a
// random delay of at most jitter (so each arrives before its day is
// sealed when jitter < lateness).
func logOf(cs []Contact, outs []Outcome, jitter time.Duration, seed uint64) []arrival {
	rng := rand.New(rand.NewPCG(seed, 5))
	var log []arrival
	delay := func() time.Duration { return time.Duration(rng.Int64N(int64(jitter) + 1)) }
	for i := range cs {
		log = append(log, arrival{at: cs[i].Ended.Add(delay()), c: &cs[i]})
	}
	for i := range outs {
		log = append(log, arrival{at: outs[i].ObservedAt.Add(delay()), o: &outs[i]})
	}
	slices.SortStableFunc(log, func(a, b arrival) int { return a.at.Compare(b.at) })
	return log
}

// replay feeds log[from:] to s, draining every 50 records into got.
func replay(s *Stream, log []arrival, from int, got map[string]Scored) {
	for i := from; i < len(log); i++ {
		if a := log[i]; a.c != nil {
			s.AddContact(*a.c)
		} else {
			s.AddOutcome(*a.o)
		}
		if i%50 == 49 {
			for _, e := range s.Drain() {
				got[e.ID] = e.Scored
			}
		}
	}
}

// TestStreamEqualsRun: a log whose records arrive before their day is
// sealed gives, through the bounded Stream, exactly Run's predictions,
// labels and learner bytes; and a Stream restored from a checkpoint taken
// midway continues byte for byte (a processor killed and restarted).
func TestStreamEqualsRun(t *testing.T) {
	cs, outs := synth(21, 50, 40)
	// A few outcome revisions and a resolution override.
	outs = append(outs, Outcome{Tenant: "t", ID: outs[3].ID, Revision: 2, InteractionID: outs[3].InteractionID, Kind: KindSurvey,
		ObservedAt: outs[3].ObservedAt.Add(time.Hour), Score: 1, ScaleMin: 1, ScaleMax: 5})
	outs = append(outs, Outcome{Tenant: "t", ID: "ov1", Revision: 1, InteractionID: cs[10].ID, Kind: KindResolution,
		ObservedAt: cs[10].Ended.Add(30 * time.Minute), Resolved: false})
	want := Run(Config{}, cs, outs)
	log := logOf(cs, outs, time.Hour, 1)

	s := NewStream(Config{}, 2*time.Hour)
	got := map[string]Scored{}
	half := len(log) / 2
	replay(s, log[:half], 0, got)
	for _, e := range s.Drain() {
		got[e.ID] = e.Scored
	}
	snap, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	restored := new(Stream)
	if err := restored.UnmarshalBinary(snap); err != nil {
		t.Fatal(err)
	}
	if again, _ := restored.MarshalBinary(); !bytes.Equal(again, snap) {
		t.Fatal("checkpoint round trip changed the bytes")
	}
	got2 := map[string]Scored{}
	for k, v := range got {
		got2[k] = v
	}
	replay(s, log, half, got)
	replay(restored, log, half, got2)
	for _, st := range []*Stream{s, restored} {
		st.Flush()
	}
	for _, e := range s.Drain() {
		got[e.ID] = e.Scored
	}
	for _, e := range restored.Drain() {
		got2[e.ID] = e.Scored
	}
	predicted := 0
	for i := range cs {
		w := want.Scored[i]
		g, ok := got[cs[i].ID]
		if !ok {
			t.Fatalf("%s: never emitted", cs[i].ID)
		}
		if g != w {
			t.Fatalf("%s: stream %+v\n run %+v", cs[i].ID, g, w)
		}
		if got2[cs[i].ID] != w {
			t.Fatalf("%s: restored stream %+v\n run %+v", cs[i].ID, got2[cs[i].ID], w)
		}
		if w.Pred[Resolution].OK {
			predicted++
		}
	}
	if predicted < len(cs)/2 {
		t.Fatalf("only %d of %d predicted", predicted, len(cs))
	}
	for k, l := range want.Learners {
		for _, st := range []*Stream{s, restored} {
			if !bytes.Equal(marshal(t, st.Learner(k.Tenant, k.Model)), marshal(t, l)) {
				t.Fatalf("learner %v differs from Run's", k)
			}
		}
	}
	b1, _ := s.MarshalBinary()
	b2, _ := restored.MarshalBinary()
	if !bytes.Equal(b1, b2) {
		t.Fatal("restored stream's state differs")
	}
}

// TestStreamBounded: state stays bounded by the present as days pass.
func TestStreamBounded(t *testing.T) {
	cs, outs := synth(22, 120, 20)
	s := NewStream(Config{}, time.Hour)
	most := 0
	for i, a := range logOf(cs, outs, 30*time.Minute, 2) {
		if a.c != nil {
			s.AddContact(*a.c)
		} else {
			s.AddOutcome(*a.o)
		}
		if i%200 == 199 {
			s.Drain()
			most = max(most, len(s.tenants["t"].contacts))
		}
	}
	// 20 contacts a day (plus repeats) kept for at most ~32 days.
	if most > 20*2*33 {
		t.Fatalf("%d contacts kept, want at most ~%d", most, 20*2*33)
	}
	if most == 0 {
		t.Fatal("nothing kept")
	}
	_ = cmp.Compare(0, 0)
}

// TestStreamEraseCustomers: an erased customer's key leaves the state
// (and its encoding) while its contacts stay, as contacts without a
// customer; other customers are untouched.
func TestStreamEraseCustomers(t *testing.T) {
	cs, outs := synth(22, 40, 20)
	s := NewStream(Config{}, time.Hour)
	for _, a := range logOf(cs, outs, 30*time.Minute, 2) {
		if a.c != nil {
			s.AddContact(*a.c)
		} else {
			s.AddOutcome(*a.o)
		}
	}
	s.Drain()
	ts := s.tenants["t"]
	var erased, kept string
	for k := range ts.customers {
		if erased == "" {
			erased = k
		} else if kept == "" {
			kept = k
		}
	}
	if erased == "" || kept == "" {
		t.Fatal("fewer than two customers kept")
	}
	before, contacts := len(ts.customers[erased]), len(ts.contacts)
	n := s.EraseCustomers(func(tenant, key string) bool { return tenant == "t" && key == erased })
	if n != before || n == 0 {
		t.Fatalf("EraseCustomers blanked %d contacts, want the customer's %d", n, before)
	}
	if _, ok := ts.customers[erased]; ok || len(ts.customers[kept]) == 0 || len(ts.contacts) != contacts {
		t.Fatalf("after: erased customer listed %v, kept customer %d contacts, %d contacts (was %d)", ok, len(ts.customers[kept]), len(ts.contacts), contacts)
	}
	b, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	// The encoding, decoded: no contact carries the erased key (a byte
	// search would also match keys it is a prefix of).
	back := NewStream(Config{}, time.Hour)
	if err := back.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	bt := back.tenants["t"]
	for _, sc := range bt.contacts {
		if sc.c.Customer == erased {
			t.Fatalf("decoded contact %s still carries the erased key", sc.c.ID)
		}
	}
	if _, ok := bt.customers[erased]; ok || len(bt.customers[kept]) == 0 {
		t.Fatalf("decoded: erased customer listed %v, kept customer %d contacts", ok, len(bt.customers[kept]))
	}
	s.Drain() // the blanked contacts are re-emitted without a panic
}
