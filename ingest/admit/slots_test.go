package admit_test

import (
	"testing"

	"github.com/agentpulse/agentpulse/ingest/admit"
)

func TestSlots(t *testing.T) {
	s := admit.New(4, 2)
	r1, l1 := s.Acquire("a")
	r2, l2 := s.Acquire("a")
	if l1 != admit.None || l2 != admit.None {
		t.Fatalf("first two of a: %v %v", l1, l2)
	}
	if _, l := s.Acquire("a"); l != admit.Key {
		t.Fatalf("third of a: %v, want Key", l)
	}
	rb, lb := s.Acquire("b")
	rc, lc := s.Acquire("c")
	if lb != admit.None || lc != admit.None {
		t.Fatalf("b and c while a holds its share: %v %v", lb, lc)
	}
	if _, l := s.Acquire("d"); l != admit.Global {
		t.Fatalf("a fifth slot: %v, want Global", l)
	}
	r1()
	r1() // a second call is a no-op
	if s.InUse() != 3 {
		t.Fatalf("in use %d, want 3", s.InUse())
	}
	if r, l := s.Acquire("d"); l != admit.None {
		t.Fatalf("d after a released: %v", l)
	} else {
		r()
	}
	r2()
	rb()
	rc()
	if s.InUse() != 0 {
		t.Fatalf("in use %d after every release", s.InUse())
	}
	if got := admit.New(8, 0).PerKey(); got != 2 {
		t.Fatalf("default per key of 8 = %d, want 2", got)
	}
	if got := admit.New(1, 5).PerKey(); got != 1 {
		t.Fatalf("per key above total = %d, want 1", got)
	}
}
