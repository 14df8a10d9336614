package connectors_test

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/ingest/connectors"
)

var t0 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func TestPendingExpireAndPush(t *testing.T) {
	p := connectors.NewPending[string, int](2)
	p.Put("a", 1, t0.Add(3*time.Second))
	p.Put("b", 2, t0.Add(1*time.Second))
	if _, _, pushed := p.Put("a", 10, t0.Add(9*time.Second)); pushed {
		t.Fatal("updating an entry pushed one out")
	}
	if v, _ := p.Get("a"); v != 10 {
		t.Fatalf("Get(a) = %d", v)
	}
	k, v, pushed := p.Put("c", 3, t0.Add(2*time.Second))
	if !pushed || k != "b" || v != 2 {
		t.Fatalf("Put into a full table pushed %q %d %v, want the earliest deadline b", k, v, pushed)
	}
	var got []string
	p.Expire(t0.Add(3*time.Second), func(k string, _ int) { got = append(got, k) })
	// a kept its first deadline (3s) although its value changed.
	if !slices.Equal(got, []string{"c", "a"}) || p.Len() != 0 {
		t.Fatalf("expired %v, %d left", got, p.Len())
	}
	if s := p.Stats(); s.Cap != 2 || s.Pushed != 1 || s.Expired != 2 || s.Len != 0 {
		t.Fatalf("Stats = %+v", s)
	}
}

// TestPendingMatchesModel runs random operations against Pending and a
// naive model (a slice scanned in full) and compares them.
func TestPendingMatchesModel(t *testing.T) {
	type ent struct {
		k        int
		v        int
		deadline time.Time
		seq      int
	}
	for seed := uint64(0); seed < 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		const capacity = 8
		p := connectors.NewPending[int, int](capacity)
		var model []ent
		seq := 0
		find := func(k int) int {
			return slices.IndexFunc(model, func(e ent) bool { return e.k == k })
		}
		earliest := func() int {
			best := -1
			for i, e := range model {
				if best < 0 || e.deadline.Before(model[best].deadline) {
					best = i
				}
			}
			return best
		}
		for step := 0; step < 2000; step++ {
			k := rng.IntN(20)
			switch op := rng.IntN(10); {
			case op < 5: // put, distinct deadlines
				seq++
				d := t0.Add(time.Duration(rng.IntN(1000))*time.Second + time.Duration(seq))
				gk, gv, pushed := p.Put(k, step, d)
				if i := find(k); i >= 0 {
					model[i].v = step
					if pushed {
						t.Fatalf("seed %d step %d: update pushed", seed, step)
					}
					continue
				}
				if len(model) == capacity {
					i := earliest()
					if !pushed || gk != model[i].k || gv != model[i].v {
						t.Fatalf("seed %d step %d: pushed %d %d %v, want %d", seed, step, gk, gv, pushed, model[i].k)
					}
					model = slices.Delete(model, i, i+1)
				} else if pushed {
					t.Fatalf("seed %d step %d: pushed from a table that was not full", seed, step)
				}
				model = append(model, ent{k: k, v: step, deadline: d, seq: seq})
			case op < 6:
				seq++
				d := t0.Add(time.Duration(rng.IntN(1000))*time.Second + time.Duration(seq))
				p.Touch(k, d)
				if i := find(k); i >= 0 {
					model[i].deadline = d
				}
			case op < 7:
				p.Delete(k)
				if i := find(k); i >= 0 {
					model = slices.Delete(model, i, i+1)
				}
			case op < 9:
				v, ok := p.Get(k)
				i := find(k)
				if ok != (i >= 0) || ok && v != model[i].v {
					t.Fatalf("seed %d step %d: Get(%d) = %d %v", seed, step, k, v, ok)
				}
			default:
				now := t0.Add(time.Duration(rng.IntN(1000)) * time.Second)
				var got []int
				p.Expire(now, func(k, _ int) { got = append(got, k) })
				var want []ent
				model = slices.DeleteFunc(model, func(e ent) bool {
					if !e.deadline.After(now) {
						want = append(want, e)
						return true
					}
					return false
				})
				slices.SortFunc(want, func(a, b ent) int { return a.deadline.Compare(b.deadline) })
				for i := range want {
					if i >= len(got) || got[i] != want[i].k {
						t.Fatalf("seed %d step %d: expired %v, want %v", seed, step, got, want)
					}
				}
				if len(got) != len(want) {
					t.Fatalf("seed %d step %d: expired %v, want %v", seed, step, got, want)
				}
			}
			if p.Len() != len(model) {
				t.Fatalf("seed %d step %d: Len %d, model %d", seed, step, p.Len(), len(model))
			}
		}
	}
}

func BenchmarkPendingPutExpire(b *testing.B) {
	p := connectors.NewPending[int, int](100_000)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p.Put(i, i, t0.Add(time.Duration(i)*time.Millisecond))
		if i%1000 == 999 {
			p.Expire(t0.Add(time.Duration(i-500)*time.Millisecond), func(int, int) {})
		}
		i++
	}
}

// TestPendingPerTenant: with LimitPerTenant, a tenant past its share
// pushes out its own earliest entry, never another tenant's; random
// operations keep every tenant within its share, the table within its
// capacity, and expiry in deadline order.
func TestPendingPerTenant(t *testing.T) {
	type key struct{ tenant, id string }
	p := connectors.NewPending[key, int](10)
	p.LimitPerTenant(3, func(k key) string { return k.tenant })
	p.Put(key{"b", "1"}, 1, t0.Add(time.Second))
	p.Put(key{"b", "2"}, 2, t0.Add(2*time.Second))
	for i := range 5 {
		k, _, pushed := p.Put(key{"a", string(rune('0' + i))}, i, t0.Add(time.Duration(10+i)*time.Second))
		if pushed != (i >= 3) || pushed && k.tenant != "a" {
			t.Fatalf("a's put %d pushed %v %+v", i, pushed, k)
		}
	}
	if _, ok := p.Get(key{"b", "1"}); !ok || p.Len() != 5 {
		t.Fatalf("b's entries pushed out by a's volume (len %d)", p.Len())
	}

	rng := rand.New(rand.NewPCG(3, 9))
	q := connectors.NewPending[key, int](20)
	q.LimitPerTenant(6, func(k key) string { return k.tenant })
	held := map[key]time.Time{}
	for i := range 5000 {
		k := key{string(rune('a' + rng.IntN(5))), string(rune('0' + rng.IntN(12)))}
		switch rng.IntN(4) {
		case 0, 1:
			d := t0.Add(time.Duration(rng.IntN(1000)) * time.Millisecond)
			if _, exists := held[k]; !exists {
				if pk, _, pushed := q.Put(k, i, d); pushed {
					delete(held, pk)
				}
				held[k] = d
			}
		case 2:
			q.Delete(k)
			delete(held, k)
		case 3:
			now := t0.Add(time.Duration(rng.IntN(1000)) * time.Millisecond)
			last := time.Time{}
			q.Expire(now, func(k key, _ int) {
				if held[k].Before(last) {
					t.Fatalf("expired out of deadline order")
				}
				last = held[k]
				delete(held, k)
			})
		}
		per := map[string]int{}
		for k := range held {
			per[k.tenant]++
		}
		for tn, n := range per {
			if n > 6 {
				t.Fatalf("tenant %s holds %d > 6", tn, n)
			}
		}
		if q.Len() != len(held) || q.Len() > 20 {
			t.Fatalf("len %d, model %d", q.Len(), len(held))
		}
	}
}
