package outcomes

import (
	"testing"
	"time"
)

// FuzzUnmarshalState: a stored learner state that is damaged never
// crashes the reader; what it accepts serializes back to the same bytes.
func FuzzUnmarshalState(f *testing.F) {
	cs, outs := synth(11, 10, 10)
	r := Run(Config{TableBits: 8, WindowDays: 3}, cs, outs)
	b, _ := r.Learners[TenantModel{"t", "voice"}].MarshalBinary()
	f.Add(b)
	e, _ := NewLearner(Config{TableBits: 8, WindowDays: 2}).MarshalBinary()
	f.Add(e)
	f.Add([]byte("APO\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var l Learner
		if err := l.UnmarshalBinary(data); err != nil {
			return
		}
		out, _ := l.MarshalBinary()
		var again Learner
		if err := again.UnmarshalBinary(out); err != nil {
			t.Fatalf("re-read of own bytes: %v", err)
		}
		out2, _ := again.MarshalBinary()
		if string(out) != string(out2) {
			t.Fatal("not stable")
		}
	})
}

// FuzzUnmarshalStream: a damaged stream checkpoint never crashes the
// reader; what it accepts checkpoints back to the same bytes.
func FuzzUnmarshalStream(f *testing.F) {
	cs, outs := synth(12, 4, 6)
	s := NewStream(Config{TableBits: 8, WindowDays: 2}, time.Hour)
	for _, a := range logOf(cs, outs, 0, 1) {
		if a.c != nil {
			s.AddContact(*a.c)
		} else {
			s.AddOutcome(*a.o)
		}
	}
	s.Drain()
	b, _ := s.MarshalBinary()
	f.Add(b)
	f.Add([]byte(`{"version":1}`)) // version 1 (JSON): refused
	f.Add([]byte("APS\x02"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var st Stream
		if err := st.UnmarshalBinary(data); err != nil {
			return
		}
		out, err := st.MarshalBinary()
		if err != nil {
			t.Fatalf("re-marshal: %v", err)
		}
		var again Stream
		if err := again.UnmarshalBinary(out); err != nil {
			t.Fatalf("re-read of own bytes: %v", err)
		}
		if out2, _ := again.MarshalBinary(); string(out2) != string(out) {
			t.Fatal("not stable")
		}
	})
}
