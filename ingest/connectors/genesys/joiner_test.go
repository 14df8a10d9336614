package genesys_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/ingest/connectors"
	"github.com/agentpulse/agentpulse/ingest/connectors/genesys"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func mapAt(t *testing.T, c *genesys.Connector, body []byte, at time.Time) []connectors.Result {
	t.Helper()
	rs, err := c.Map("acme", body, at)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func only(t *testing.T, rs []connectors.Result) connectors.Result {
	t.Helper()
	if len(rs) != 1 {
		t.Fatalf("%d results: %+v", len(rs), rs)
	}
	return rs[0]
}

// TestJoinTable checks the join by hand-computed cases.
func TestJoinTable(t *testing.T) {
	const end = int64(1772442945000) // 2026-03-02T09:15:45Z
	type want struct {
		revision int64
		handle   float64
		skipped  string
		failed   bool
	}
	tests := []struct {
		name  string
		steps []func(c *genesys.Connector) []connectors.Result
		want  []want
	}{
		{
			name: "user.end then acw",
			steps: []func(*genesys.Connector) []connectors.Result{
				func(c *genesys.Connector) []connectors.Result {
					return mapAt(t, c, userEnd("c1", "p1", end, 300_000, 60_000), t0)
				},
				func(c *genesys.Connector) []connectors.Result {
					return mapAt(t, c, acw("c1", "p1", 45_000), t0.Add(time.Minute))
				},
			},
			want: []want{{revision: 1, handle: 360}, {revision: 2, handle: 405}},
		},
		{
			name: "acw then user.end",
			steps: []func(*genesys.Connector) []connectors.Result{
				func(c *genesys.Connector) []connectors.Result { return mapAt(t, c, acw("c1", "p1", 45_000), t0) },
				func(c *genesys.Connector) []connectors.Result {
					return mapAt(t, c, userEnd("c1", "p1", end, 300_000, 60_000), t0.Add(time.Second))
				},
			},
			want: []want{{skipped: connectors.SkipPending}, {revision: 2, handle: 405}},
		},
		{
			name: "acw just before the timeout still joins",
			steps: []func(*genesys.Connector) []connectors.Result{
				func(c *genesys.Connector) []connectors.Result {
					return mapAt(t, c, userEnd("c1", "p1", end, 1000, 0), t0)
				},
				func(c *genesys.Connector) []connectors.Result { return c.Expire(t0.Add(10*time.Minute - 1)) },
				func(c *genesys.Connector) []connectors.Result {
					return mapAt(t, c, acw("c1", "p1", 2000), t0.Add(10*time.Minute-1))
				},
				func(c *genesys.Connector) []connectors.Result { return c.Expire(t0.Add(time.Hour)) },
			},
			want: []want{{revision: 1, handle: 1}, {revision: 2, handle: 3}},
		},
		{
			name: "acw after the timeout is dead-lettered once its own wait ends",
			steps: []func(*genesys.Connector) []connectors.Result{
				func(c *genesys.Connector) []connectors.Result {
					return mapAt(t, c, userEnd("c1", "p1", end, 1000, 0), t0)
				},
				func(c *genesys.Connector) []connectors.Result { return c.Expire(t0.Add(10 * time.Minute)) },
				func(c *genesys.Connector) []connectors.Result {
					return mapAt(t, c, acw("c1", "p1", 2000), t0.Add(11*time.Minute))
				},
				func(c *genesys.Connector) []connectors.Result { return c.Expire(t0.Add(21 * time.Minute)) },
			},
			want: []want{{revision: 1, handle: 1}, {revision: 2, handle: 1}, {skipped: connectors.SkipPending}, {failed: true}},
		},
		{
			name: "participants of one conversation are separate",
			steps: []func(*genesys.Connector) []connectors.Result{
				func(c *genesys.Connector) []connectors.Result {
					return mapAt(t, c, userEnd("c1", "p1", end, 1000, 0), t0)
				},
				func(c *genesys.Connector) []connectors.Result { return mapAt(t, c, acw("c1", "p2", 5000), t0) },
				func(c *genesys.Connector) []connectors.Result { return mapAt(t, c, acw("c1", "p1", 2000), t0) },
			},
			want: []want{{revision: 1, handle: 1}, {skipped: connectors.SkipPending}, {revision: 2, handle: 3}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newConnector(t, genesys.JoinerConfig{})
			var got []connectors.Result
			for _, s := range tt.steps {
				got = append(got, s(c)...)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("%d results, want %d: %+v", len(got), len(tt.want), got)
			}
			for i, w := range tt.want {
				r := got[i]
				switch {
				case w.failed:
					if r.Err == nil {
						t.Errorf("result %d: %+v, want a failure", i, r)
					}
				case w.skipped != "":
					if r.Skipped != w.skipped {
						t.Errorf("result %d: %+v, want skipped %s", i, r, w.skipped)
					}
				default:
					if r.Interaction == nil || r.Interaction.Revision != w.revision || r.Interaction.HandleTimeS != w.handle {
						t.Errorf("result %d: %+v, want revision %d handle %v", i, r, w.revision, w.handle)
					}
				}
			}
			if s := c.Stats(); s.Len != 0 && len(tt.steps) > 0 {
				c.Expire(t0.Add(24 * time.Hour))
				if s := c.Stats(); s.Len != 0 {
					t.Errorf("%d entries left after expiring everything", s.Len)
				}
			}
		})
	}
}

// TestJoinerBounded: a full table pushes out the oldest entry, which is
// handled exactly as if it had timed out.
func TestJoinerBounded(t *testing.T) {
	c := newConnector(t, genesys.JoinerConfig{MaxPending: 2, MaxPendingPerTenant: 2, Timeout: time.Minute})
	only(t, mapAt(t, c, userEnd("c1", "p", 1772442945000, 1000, 0), t0))
	only(t, mapAt(t, c, acw("c2", "p", 1000), t0.Add(time.Second)))
	rs := mapAt(t, c, userEnd("c3", "p", 1772442945000, 1000, 0), t0.Add(2*time.Second))
	if len(rs) != 2 {
		t.Fatalf("results %+v", rs)
	}
	pushed := rs[0]
	if pushed.Interaction == nil || pushed.Interaction.InteractionID != "c1:p" || pushed.Interaction.Revision != 2 ||
		pushed.Interaction.Attributes.Map()[genesys.AttrACWMissing] != true {
		t.Fatalf("pushed-out result %+v", pushed)
	}
	rs = mapAt(t, c, userEnd("c4", "p", 1772442945000, 1000, 0), t0.Add(3*time.Second))
	if len(rs) != 2 || rs[0].Err == nil {
		t.Fatalf("the pushed-out acw must be dead-lettered: %+v", rs)
	}
	if s := c.Stats(); s.Len != 2 || s.Cap != 2 || s.Pushed != 2 {
		t.Fatalf("Stats %+v", s)
	}
}

// TestJoinProperties plays random interleavings (halves in any order,
// redeliveries, expiries, some acw lost) and checks that each interaction
// ends with exactly one revision 2 whose handle time is talk + hold + acw
// when the acw arrived in time, and talk + hold (acw_missing) otherwise, and
// that revisions never go down for an interaction.
func TestJoinProperties(t *testing.T) {
	for seed := uint64(1); seed <= 30; seed++ {
		rng := rand.New(rand.NewPCG(seed, 99))
		c := newConnector(t, genesys.JoinerConfig{Timeout: 5 * time.Minute, MaxPending: 1000})
		type conv struct {
			talk, hold, acw int64
			sendACW         bool
		}
		convs := map[string]conv{}
		type delivery struct {
			at   time.Time
			body []byte
		}
		var ds []delivery
		for i := 0; i < 40; i++ {
			id := fmt.Sprintf("c%d", i)
			cv := conv{talk: rng.Int64N(600) * 1000, hold: rng.Int64N(60) * 1000, acw: rng.Int64N(120) * 1000, sendACW: rng.IntN(5) > 0}
			if cv.talk+cv.hold == 0 {
				cv.talk = 1000
			}
			convs[id] = cv
			start := t0.Add(time.Duration(rng.IntN(3600)) * time.Second)
			ue := userEnd(id, "p", 1772442945000, cv.talk, cv.hold)
			ds = append(ds, delivery{start, ue})
			if rng.IntN(3) == 0 {
				ds = append(ds, delivery{start.Add(time.Duration(rng.IntN(200)) * time.Second), ue})
			}
			if cv.sendACW {
				// within the timeout either way round
				ds = append(ds, delivery{start.Add(time.Duration(rng.IntN(280)-140) * time.Second), acw(id, "p", cv.acw)})
			}
		}
		rng.Shuffle(len(ds), func(i, j int) { ds[i], ds[j] = ds[j], ds[i] })
		// deliver in time order (shuffled first so equal times mix)
		sortByTime := func() {
			for i := 1; i < len(ds); i++ {
				for j := i; j > 0 && ds[j].at.Before(ds[j-1].at); j-- {
					ds[j], ds[j-1] = ds[j-1], ds[j]
				}
			}
		}
		sortByTime()
		var all []connectors.Result
		for _, d := range ds {
			all = append(all, c.Expire(d.at)...)
			all = append(all, mapAt(t, c, d.body, d.at)...)
		}
		all = append(all, c.Expire(t0.Add(48*time.Hour))...)

		lastRev := map[string]int64{}
		final := map[string][]float64{}
		for _, r := range all {
			if r.Err != nil {
				t.Fatalf("seed %d: unexpected failure %v", seed, r.Err)
			}
			it := r.Interaction
			if it == nil {
				continue
			}
			if it.Revision < lastRev[it.InteractionID] {
				t.Fatalf("seed %d: %s revision went down to %d", seed, it.InteractionID, it.Revision)
			}
			lastRev[it.InteractionID] = it.Revision
			if it.Revision == 2 {
				final[it.InteractionID] = append(final[it.InteractionID], it.HandleTimeS)
			}
		}
		for id, cv := range convs {
			hs := final[id+":p"]
			if len(hs) == 0 {
				t.Fatalf("seed %d: %s has no revision 2", seed, id)
			}
			want := float64(cv.talk+cv.hold) / 1000
			if cv.sendACW {
				want += float64(cv.acw) / 1000
			}
			for _, h := range hs {
				if h != want {
					t.Fatalf("seed %d: %s revision 2 handle %v, want %v (%+v)", seed, id, h, want, cv)
				}
			}
		}
		if s := c.Stats(); s.Len != 0 {
			t.Fatalf("seed %d: %d entries left", seed, s.Len)
		}
	}
}

// TestJoinerConcurrent maps from many goroutines (run with -race).
func TestJoinerConcurrent(t *testing.T) {
	c := newConnector(t, genesys.JoinerConfig{MaxPending: 64})
	var wg sync.WaitGroup
	var mu sync.Mutex
	final := 0
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				id := fmt.Sprintf("g%d-%d", g, i)
				for _, body := range [][]byte{acw(id, "p", 1000), userEnd(id, "p", 1772442945000, 1000, 0)} {
					rs, err := c.Map("acme", body, t0.Add(time.Duration(i)*time.Second))
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					for _, r := range rs {
						if r.Interaction != nil && r.Interaction.Revision == 2 && r.Interaction.Attributes.Map()[genesys.AttrACWMissing] == nil {
							final++
						}
					}
					mu.Unlock()
				}
				if i%50 == 0 {
					c.Expire(t0)
					c.Stats()
				}
			}
		}()
	}
	wg.Wait()
	if s := c.Stats(); s.Len > 64 {
		t.Fatalf("table holds %d > 64", s.Len)
	}
	if final == 0 {
		t.Fatal("nothing joined")
	}
}
