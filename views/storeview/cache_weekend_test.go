package storeview_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/processor/store/storetest"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// TestCacheSlidesAfterQuietWeekend: a warm cache whose models see no
// interaction for 60 hours, then a Monday's interactions, slides (no
// rebuild), with a correction to a sealed day and many dirty agents
// re-read in one query, and answers what the reference answers.
func TestCacheSlidesAfterQuietWeekend(t *testing.T) {
	ctx := context.Background()
	params := views.Params{MinVolume: 3}
	its := simulated(t, 8, 10)
	var monday []schemas.Interaction
	for i, it := range its {
		if it.TenantID == "moves" || i%9 != 0 {
			continue
		}
		m := it
		m.InteractionID = "monday-" + it.InteractionID
		m.Revision = 1
		m.EndedAt = it.EndedAt.Add(60 * time.Hour)
		m.StartedAt = it.StartedAt.Add(60 * time.Hour)
		if !m.EndedAt.After(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Add(30 * time.Hour)) {
			continue // keep Monday after the weekend
		}
		monday = append(monday, m)
		if i%27 == 0 { // a correction moving an old interaction to another inquiry (a sealed hour)
			c := it
			c.Revision = it.Revision + 5
			c.HandleTimeS += 33
			monday = append(monday, c)
		}
	}
	all := append(slices.Clone(its), monday...)
	batches := storetest.Batches(all, 4, 400)
	isMonday := map[string]bool{}
	for _, m := range monday {
		isMonday[m.InteractionID+fmt.Sprint(m.Revision)] = true
	}
	split := 0
	for i, b := range batches {
		if slices.ContainsFunc(b.Records, func(r store.Record) bool { return isMonday[r.InteractionID+fmt.Sprint(r.Revision)] }) {
			break
		}
		split = i + 1
	}
	st := embedded.New()
	for _, b := range batches[:split] {
		if err := st.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Compact(ctx, 0); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	ov := storeview.NewOverlay(st)
	sv := storeview.New(ov, params, storeview.WithCache(storeview.CacheConfig{HotHours: 2, Registerer: reg}))
	delivered := interactionsOf(batches[:split]...)
	// The "moves" tenant is left out of the comparisons: its Friday read
	// is skipped (compareFresh: the overlay's LatestData lag), so its
	// models would be first built on Monday, which is no rebuild.
	compareFresh(t, sv, reference.New(delivered, params), withoutTenant(delivered, "moves"), 2, "friday")
	builds := counter(t, reg, "agentpulse_storeview_cache_builds_total")
	for _, b := range batches[split:] {
		for _, u := range updatesOf(b) {
			sv.OnUpdate(ctx, u)
		}
		if err := st.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
		delivered = append(delivered, interactionsOf(b)...)
	}
	compareFresh(t, sv, reference.New(delivered, params), withoutTenant(delivered, "moves"), 2, "monday")
	if got := counter(t, reg, "agentpulse_storeview_cache_builds_total"); got != builds {
		t.Errorf("builds went from %v to %v after the weekend; want slides", builds, got)
	}
	if counter(t, reg, "agentpulse_storeview_cache_slides_total") == 0 {
		t.Error("no slide after the weekend")
	}
	if n := counter(t, reg, "agentpulse_storeview_cache_agent_rereads_total"); n == 0 {
		t.Error("no dirty agent re-read after the corrections")
	} else {
		t.Logf("agent re-reads: %v", n)
	}
}

// withoutTenant returns its without tenant's interactions.
func withoutTenant(its []schemas.Interaction, tenant string) []schemas.Interaction {
	return slices.DeleteFunc(slices.Clone(its), func(it schemas.Interaction) bool { return it.TenantID == tenant })
}

// TestCacheNeverRebuildsForLateDataOrQuietWeeks: a warm cache whose
// models then get a correction of an old (sealed) interaction of every
// agent (more dirty agents than a query naming them takes: one
// model-wide re-read keeps theirs) and, 12 days after the data's end (a
// quiet fortnight, past the old one-week bound), new interactions, slides
// and re-reads without a single rebuild, also across the compactor's
// sealing, and answers what the reference answers.
func TestCacheNeverRebuildsForLateDataOrQuietWeeks(t *testing.T) {
	ctx := context.Background()
	params := views.Params{MinVolume: 3}
	its := simulated(t, 8, 10)
	var later []schemas.Interaction
	corrected := map[string]bool{}
	for i, it := range its {
		if it.TenantID == "moves" {
			continue
		}
		if k := it.TenantID + "/" + it.AgentID; !corrected[k] && it.EndedAt.Before(time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)) {
			corrected[k] = true // one correction per agent, days before the end
			c := it
			c.Revision = it.Revision + 5
			c.HandleTimeS += 33
			later = append(later, c)
		}
		if i%7 == 0 {
			m := it
			m.InteractionID = "later-" + it.InteractionID
			m.Revision = 1
			m.EndedAt = it.EndedAt.AddDate(0, 0, 12)
			m.StartedAt = it.StartedAt.AddDate(0, 0, 12)
			later = append(later, m)
		}
	}
	batches := storetest.Batches(append(slices.Clone(its), later...), 4, 400)
	isLater := map[string]bool{}
	for _, l := range later {
		isLater[l.InteractionID+fmt.Sprint(l.Revision)] = true
	}
	split := 0
	for i, b := range batches {
		if slices.ContainsFunc(b.Records, func(r store.Record) bool { return isLater[r.InteractionID+fmt.Sprint(r.Revision)] }) {
			break
		}
		split = i + 1
	}
	st := embedded.New()
	for _, b := range batches[:split] {
		if err := st.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Compact(ctx, 0); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	ov := storeview.NewOverlay(st)
	sv := storeview.New(ov, params, storeview.WithCache(storeview.CacheConfig{HotHours: 2, MaxAgentRereads: 1, Registerer: reg}))
	delivered := interactionsOf(batches[:split]...)
	compareFresh(t, sv, reference.New(delivered, params), withoutTenant(delivered, "moves"), 2, "before")
	builds := counter(t, reg, "agentpulse_storeview_cache_builds_total")
	for _, b := range batches[split:] {
		for _, u := range updatesOf(b) {
			sv.OnUpdate(ctx, u)
		}
		if err := st.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
		delivered = append(delivered, interactionsOf(b)...)
	}
	// The compactor seals the days the corrections touched again (and the
	// new ones): the cache is told nothing and needs nothing.
	if _, err := st.Compact(ctx, 0); err != nil {
		t.Fatal(err)
	}
	compareFresh(t, sv, reference.New(delivered, params), withoutTenant(delivered, "moves"), 2, "after")
	if got := counter(t, reg, "agentpulse_storeview_cache_builds_total"); got != builds {
		t.Errorf("builds went from %v to %v; want slides and re-reads only", builds, got)
	}
	for _, m := range []string{"slides_total", "wide_rereads_total", "agent_rereads_total"} {
		if n := counter(t, reg, "agentpulse_storeview_cache_"+m); n == 0 {
			t.Errorf("%s = 0", m)
		} else {
			t.Logf("%s = %v", m, n)
		}
	}
}
