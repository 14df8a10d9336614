package outcomes

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// oracleResolution is DESIGN.md's rule written the plain way, over every
// pair: x is unresolved at the earliest end of an inbound contact y of the
// same customer in another chain, starting at least 15 minutes after x
// ended and ending within N days after it; else resolved; either known at
// x.ended + N once the watermark reaches it, no label before.
func oracleResolution(cs []Contact, i int, n time.Duration, w time.Time) Label {
	x := cs[i]
	if x.Customer == "" {
		return Label{}
	}
	h := x.Ended.Add(n)
	if w.Before(h) {
		return Label{}
	}
	var first *Contact
	for j := range cs {
		y := &cs[j]
		if j == i || y.Customer != x.Customer || (y.Initiation != "" && y.Initiation != InitiationInbound) {
			continue
		}
		if x.Chain != "" && y.Chain == x.Chain {
			continue
		}
		if y.Started.Sub(x.Ended) < 15*time.Minute || !y.Ended.After(x.Ended) || y.Ended.Sub(x.Ended) > n {
			continue
		}
		if first == nil || y.Ended.Before(first.Ended) {
			first = y
		}
	}
	if first != nil {
		return Label{Has: true, Value: false, Train: false, Matured: h}
	}
	return Label{Has: true, Value: true, Train: true, Matured: h}
}

// TestResolutionMatchesOracle: on random contacts of few customers (many
// repeats, transfers, shared chains, outbound legs), Run's resolution
// labels equal the plain rule's.
func TestResolutionMatchesOracle(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	inits := []string{"", InitiationInbound, InitiationOutbound, InitiationCallback, InitiationTransfer}
	for trial := range 20 {
		var cs []Contact
		for k := range 150 {
			start := t0.Add(time.Duration(rng.IntN(20*86400)) * time.Second)
			if k > 0 && rng.IntN(4) == 0 { // a quick follow-up of an earlier contact
				start = cs[rng.IntN(len(cs))].Ended.Add(time.Duration(rng.IntN(40)) * time.Minute)
			}
			c := call(fmt.Sprintf("c%03d", k), fmt.Sprintf("k%d", rng.IntN(12)), fmt.Sprintf("ch%d", rng.IntN(60)), inits[rng.IntN(len(inits))], start)
			if rng.IntN(10) == 0 {
				c.Customer = ""
			}
			if rng.IntN(5) == 0 {
				c.Chain = ""
			}
			cs = append(cs, c)
		}
		days := 1 + rng.IntN(7)
		r := Run(Config{RepeatDays: days}, cs, nil)
		w := r.Watermark["t"]
		for i := range cs {
			want := oracleResolution(cs, i, time.Duration(days)*24*time.Hour, w)
			if got := r.Scored[i].Label[Resolution]; got != want {
				t.Fatalf("trial %d, %s: %+v, want %+v", trial, cs[i].ID, got, want)
			}
		}
	}
}

// TestStreamLateRecords: records far later than the lateness are still
// used (predicted on arrival, learnt at the next seal), never dropped and
// never a panic.
func TestStreamLateRecords(t *testing.T) {
	cs, outs := synth(23, 30, 30)
	s := NewStream(Config{}, time.Hour)
	got := map[string]Scored{}
	replay(s, logOf(cs, outs, 3*24*time.Hour, 3), 0, got)
	s.Flush()
	for _, e := range s.Drain() {
		got[e.ID] = e.Scored
	}
	for i := range cs {
		if _, ok := got[cs[i].ID]; !ok {
			t.Fatalf("%s never emitted", cs[i].ID)
		}
	}
	if l := s.Learner("t", "voice"); l == nil || l.Labels(Resolution) == 0 || l.Labels(Satisfaction) == 0 {
		t.Fatal("late records taught nothing")
	}
}
