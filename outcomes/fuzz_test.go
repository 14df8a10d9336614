package outcomes

import "testing"

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
