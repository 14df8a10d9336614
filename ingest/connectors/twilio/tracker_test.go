package twilio_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/ingest/connectors"
	"github.com/agentpulse/agentpulse/ingest/connectors/twilio"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const base = int64(1772442000) // t0 in seconds

func deliver(t testing.TB, c *twilio.Connector, p map[string]string, at time.Time) []connectors.Result {
	t.Helper()
	rs, err := c.Map("acme", form(p), at)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// TestHandleTime checks hand-computed handle times and the wrap-up split.
func TestHandleTime(t *testing.T) {
	const task = "WT0123456789abcdef0123456789ab0001"
	tests := []struct {
		name              string
		events            []map[string]string
		handle, talk, acw float64
		ended             time.Time
	}{
		{
			name: "accepted, reservation.wrapup, reservation.completed",
			events: []map[string]string{
				ev("reservation.accepted", task, base+10), ev("reservation.wrapup", task, base+250), ev("reservation.completed", task, base+300),
			},
			handle: 290, talk: 240, acw: 50, ended: t0.Add(250 * time.Second),
		},
		{
			name: "task.wrapup and task.completed, earliest wrap-up wins",
			events: []map[string]string{
				ev("reservation.accepted", task, base), ev("task.wrapup", task, base+121), ev("reservation.wrapup", task, base+120), ev("task.completed", task, base+180),
			},
			handle: 180, talk: 120, acw: 60, ended: t0.Add(120 * time.Second),
		},
		{
			name:   "no wrap-up: ended at completion, all talk",
			events: []map[string]string{ev("reservation.accepted", task, base), ev("reservation.completed", task, base+75)},
			handle: 75, talk: 75, acw: 0, ended: t0.Add(75 * time.Second),
		},
		{
			name: "milliseconds win over seconds",
			events: []map[string]string{
				ev("reservation.accepted", task, base, "TimestampMs", "1772442000250"),
				ev("reservation.completed", task, base+1, "TimestampMs", "1772442001000"),
			},
			handle: 0.75, talk: 0.75, acw: 0, ended: t0.Add(time.Second),
		},
		{
			name: "EventDate when there is no Timestamp",
			events: func() []map[string]string {
				a, c := ev("reservation.accepted", task, 0), ev("reservation.completed", task, 0)
				delete(a, "Timestamp")
				delete(c, "Timestamp")
				a["EventDate"], c["EventDate"] = "2026-03-02T09:00:00Z", "2026-03-02T09:01:30Z"
				return []map[string]string{a, c}
			}(),
			handle: 90, talk: 90, acw: 0, ended: t0.Add(90 * time.Second),
		},
		{
			name: "wrap-up outside the handling is ignored",
			events: []map[string]string{
				ev("reservation.wrapup", task, base-5), ev("reservation.accepted", task, base), ev("reservation.completed", task, base+60),
			},
			handle: 60, talk: 60, acw: 0, ended: t0.Add(60 * time.Second),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newConnector(t, twilio.TrackerConfig{}, publicBase)
			var got []connectors.Result
			for i, p := range tt.events {
				got = append(got, deliver(t, c, p, t0.Add(time.Duration(i)*time.Second))...)
			}
			last := got[len(got)-1]
			it := last.Interaction
			if it == nil {
				t.Fatalf("no interaction: %+v", got)
			}
			if it.HandleTimeS != tt.handle || it.Attributes.Map()["talk_s"] != tt.talk || it.Attributes.Map()["acw_s"] != tt.acw || !it.EndedAt.Equal(tt.ended) {
				t.Errorf("handle %v talk %v acw %v ended %v; want %v %v %v %v", it.HandleTimeS, it.Attributes.Map()["talk_s"],
					it.Attributes.Map()["acw_s"], it.EndedAt, tt.handle, tt.talk, tt.acw, tt.ended)
			}
			if want := it.EndedAt.Add(-time.Duration(tt.talk * float64(time.Second))); !it.StartedAt.Equal(want) {
				t.Errorf("started %v, want ended − talk = %v", it.StartedAt, want)
			}
			for _, r := range got[:len(got)-1] {
				if r.Skipped != connectors.SkipPending {
					t.Errorf("earlier event %s: %+v, want pending", r.Ref, r)
				}
			}
		})
	}
}

// TestTrackerBounded: a full table pushes out the task with the earliest
// deadline and reports it; finished tasks are retained only for Retain.
func TestTrackerBounded(t *testing.T) {
	c := newConnector(t, twilio.TrackerConfig{MaxPending: 2, MaxPendingPerTenant: 2, Timeout: time.Hour, Retain: time.Minute}, publicBase)
	deliver(t, c, ev("reservation.accepted", "WT01", base), t0)
	deliver(t, c, ev("reservation.accepted", "WT02", base), t0.Add(time.Second))
	rs := deliver(t, c, ev("reservation.accepted", "WT03", base), t0.Add(2*time.Second))
	if len(rs) != 2 || rs[0].Err == nil || rs[0].Ref != "task WT01" {
		t.Fatalf("results %+v", rs)
	}
	// finish WT02: it is retained for a minute, then forgotten silently
	rs = deliver(t, c, ev("reservation.completed", "WT02", base+30), t0.Add(3*time.Second))
	if rs[0].Interaction == nil {
		t.Fatalf("results %+v", rs)
	}
	if out := c.Expire(t0.Add(3*time.Second + time.Minute)); len(out) != 0 {
		t.Fatalf("forgetting a finished task produced %+v", out)
	}
	if s := c.Stats(); s.Len != 1 || s.Cap != 2 || s.Pushed != 1 || s.Expired != 1 {
		t.Fatalf("Stats %+v", s)
	}
}

// TestTrackerProperties plays random event orders, duplicates and the
// doubled completion events and checks that every task yields interactions
// with the same content, handle = completed − accepted, and no failures.
func TestTrackerProperties(t *testing.T) {
	for seed := uint64(1); seed <= 30; seed++ {
		rng := rand.New(rand.NewPCG(seed, 5))
		c := newConnector(t, twilio.TrackerConfig{Timeout: time.Hour, Retain: time.Hour, MaxPending: 1000}, publicBase)
		type task struct{ accepted, wrapup, completed int64 }
		tasks := map[string]task{}
		var events []map[string]string
		for i := 0; i < 30; i++ {
			sid := fmt.Sprintf("WT%032d", i)
			tk := task{accepted: base + rng.Int64N(3600)}
			tk.wrapup = tk.accepted + rng.Int64N(900)
			tk.completed = tk.wrapup + rng.Int64N(300)
			tasks[sid] = tk
			events = append(events,
				ev("reservation.created", sid, tk.accepted-1),
				ev("reservation.accepted", sid, tk.accepted),
				ev("reservation.wrapup", sid, tk.wrapup),
				ev("task.wrapup", sid, tk.wrapup),
				ev("reservation.completed", sid, tk.completed),
				ev("task.completed", sid, tk.completed))
			if rng.IntN(2) == 0 {
				events = append(events, ev("reservation.completed", sid, tk.completed))
			}
		}
		rng.Shuffle(len(events), func(i, j int) { events[i], events[j] = events[j], events[i] })
		seen := map[string]string{}
		for _, p := range events {
			for _, r := range deliver(t, c, p, t0) {
				if r.Err != nil {
					t.Fatalf("seed %d: failure %v", seed, r.Err)
				}
				it := r.Interaction
				if it == nil {
					continue
				}
				tk := tasks[it.InteractionID]
				if want := float64(tk.completed - tk.accepted); it.HandleTimeS != want {
					t.Fatalf("seed %d: %s handle %v, want %v", seed, it.InteractionID, it.HandleTimeS, want)
				}
				line := string(it.AppendJSON(nil))
				if prev, ok := seen[it.InteractionID]; ok && prev != line {
					t.Fatalf("seed %d: %s re-emitted differently:\n%s\n%s", seed, it.InteractionID, prev, line)
				}
				seen[it.InteractionID] = line
			}
		}
		if len(seen) != len(tasks) {
			t.Fatalf("seed %d: %d tasks emitted, want %d", seed, len(seen), len(tasks))
		}
	}
}

func TestTrackerConcurrent(t *testing.T) {
	c := newConnector(t, twilio.TrackerConfig{MaxPending: 32}, publicBase)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				sid := fmt.Sprintf("WT%d-%d", g, i)
				for _, p := range []map[string]string{ev("reservation.completed", sid, base+60), ev("reservation.accepted", sid, base)} {
					if _, err := c.Map("acme", form(p), t0); err != nil {
						t.Error(err)
						return
					}
				}
				if i%40 == 0 {
					c.Expire(t0.Add(48 * time.Hour))
				}
			}
		}()
	}
	wg.Wait()
	if s := c.Stats(); s.Len > 32 {
		t.Fatalf("table holds %d > 32", s.Len)
	}
}

// TestRespond204 checks the answer TaskRouter expects through the Handler.
func TestRespond204(t *testing.T) {
	c := newConnector(t, twilio.TrackerConfig{}, publicBase)
	h := connectors.NewHandler(c, func(context.Context, string, string, []connectors.Result) error { return nil }, connectors.HandlerConfig{})
	body := form(ev("task.created", "WT0123456789abcdef0123456789ab0001", base))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, signedRequest(body, acmeToken))
	if w.Code != http.StatusNoContent || w.Body.Len() != 0 || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("answer %d %q %v", w.Code, w.Body, w.Header())
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, signedRequest(body, "wrong"))
	if w.Code != http.StatusUnauthorized {
		t.Fatalf("answer %d", w.Code)
	}
}
