package outcomes

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

func marshal(t testing.TB, l *Learner) []byte {
	t.Helper()
	b, err := l.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRunOrderIndependent is the property that makes replays exact: any
// permutation of the records (and redelivered outcomes) gives the same
// predictions, labels and serialized learners, byte for byte.
func TestRunOrderIndependent(t *testing.T) {
	cs, outs := synth(1, 40, 60)
	want := Run(Config{}, cs, outs)
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 3 {
		pc := slices.Clone(cs)
		po := append(slices.Clone(outs), outs[:len(outs)/3]...) // redeliveries
		rng.Shuffle(len(pc), func(i, j int) { pc[i], pc[j] = pc[j], pc[i] })
		rng.Shuffle(len(po), func(i, j int) { po[i], po[j] = po[j], po[i] })
		got := Run(Config{}, pc, po)
		pos := make(map[string]int, len(cs))
		for i := range pc {
			pos[pc[i].ID] = i
		}
		for i := range cs {
			if g, w := got.Scored[pos[cs[i].ID]], want.Scored[i]; !reflect.DeepEqual(g, w) {
				t.Fatalf("trial %d: %s scored %+v, want %+v", trial, cs[i].ID, g, w)
			}
		}
		for k, l := range want.Learners {
			if !bytes.Equal(marshal(t, got.Learners[k]), marshal(t, l)) {
				t.Fatalf("trial %d: learner %v state differs", trial, k)
			}
		}
	}
}

// TestStateRoundTrip: a learner restored from its bytes serializes to the
// same bytes and, fed the same days, predicts and serializes exactly like
// the original (what a processor restarted from a checkpoint must do).
func TestStateRoundTrip(t *testing.T) {
	cs, outs := synth(2, 30, 40)
	r := Run(Config{}, cs, outs)
	l := r.Learners[TenantModel{"t", "voice"}]
	b := marshal(t, l)
	var back Learner
	if err := back.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(marshal(t, &back), b) {
		t.Fatal("round trip changed the bytes")
	}
	f := Extract(&cs[0], History{Known: true, DaysSince: 2, Last7d: 1, Last30d: 3}, l.cfg.TableBits)
	for step := range 5 {
		d := l.Day() + 1 + int64(step)
		if err := l.BeginDay(d); err != nil {
			t.Fatal(err)
		}
		if err := back.BeginDay(d); err != nil {
			t.Fatal(err)
		}
		p1, p2 := l.Predict(&f), back.Predict(&f)
		if p1 != p2 {
			t.Fatalf("day %d: %+v vs %+v", d, p1, p2)
		}
		l.Learn(Resolution, &f, step%2 == 0, p1[Resolution])
		back.Learn(Resolution, &f, step%2 == 0, p2[Resolution])
	}
	if !bytes.Equal(marshal(t, l), marshal(t, &back)) {
		t.Fatal("restored learner diverged")
	}
	if err := back.BeginDay(0); err == nil {
		t.Fatal("a day backwards was accepted")
	}
	for _, bad := range [][]byte{nil, []byte("APO\x02"), b[:len(b)/2], append(slices.Clone(b), 0)} {
		var x Learner
		if err := x.UnmarshalBinary(bad); err == nil {
			t.Fatalf("bad state of %d bytes accepted", len(bad))
		}
	}
}

// TestLearnsCaseMix: on a center whose outcomes depend on inquiry and
// handle time, the model is served and beats the base rate.
func TestLearnsCaseMix(t *testing.T) {
	cs, outs := synth(5, 60, 80)
	r := Run(Config{}, cs, outs)
	l := r.Learners[TenantModel{"t", "voice"}]
	for _, tg := range []Target{Satisfaction, Resolution} {
		st := l.Stats(tg)
		t.Logf("%s: %+v", tg, st)
		if st.LogLoss == nil || st.AUC == nil || st.NE == nil {
			t.Fatalf("%s: no validation figures: %+v", tg, st)
		}
		if !st.Served || *st.LogLoss >= *st.BaseLogLoss || *st.AUC < 0.6 || *st.NE >= *st.BaseNE {
			t.Errorf("%s: served=%v log-loss %.4f vs base %.4f, AUC %.3f", tg, st.Served, *st.LogLoss, *st.BaseLogLoss, *st.AUC)
		}
		if _, err := json.Marshal(st); err != nil {
			t.Fatalf("stats do not encode: %v", err)
		}
		var n int64
		for _, d := range st.Calibration {
			n += d.N
			if d.N > 20 && math.Abs(*d.Predicted-*d.Observed) > 0.15 {
				t.Errorf("%s: decile %+v badly calibrated", tg, d)
			}
		}
		if n != st.WindowLabels {
			t.Errorf("%s: calibration counts %d labels, window %d", tg, n, st.WindowLabels)
		}
	}
	// Every prediction after the first labels is in (0,1).
	n := 0
	for _, s := range r.Scored {
		for _, p := range s.Pred {
			if p.OK {
				n++
				if !(p.P > 0 && p.P < 1) {
					t.Fatalf("prediction %+v", p)
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no predictions")
	}
}
