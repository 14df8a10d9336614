package storeview_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/agentpulse/agentpulse/processor/store"
	"github.com/agentpulse/agentpulse/processor/store/embedded"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// TestWorstInteractionsEqualReference compares WorstInteractions with the
// reference, and NewestInteractions with the reference's set re-sorted
// newest first, for every agent, model, inquiry, the model's metrics,
// every range of specs and several limits, over the embedded store.
func TestWorstInteractionsEqualReference(t *testing.T) {
	its := simulated(t, 12, 10)
	cases := []struct {
		name string
		open func(t *testing.T) store.Reader
	}{
		{"embedded", func(*testing.T) store.Reader { st := embedded.New(); fill(t, st, its); return st }},
		// A Reader that is no store.WorstReader: the range read and sorted here.
		{"plain-reader", func(*testing.T) store.Reader { st := embedded.New(); fill(t, st, its); return plainReader{st} }},
		{"clickhouse", func(t *testing.T) store.Reader { st := openClickHouse(t); fill(t, st, its); return st }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { testWorstEqualReference(t, c.open(t), its) })
	}
}

// plainReader hides every optional interface of a store.
type plainReader struct{ store.Reader }

func testWorstEqualReference(t *testing.T, st store.Reader, its []schemas.Interaction) {
	ctx := context.Background()
	params := views.Params{MinVolume: 3}
	ref := reference.New(its, params)
	sv := storeview.New(st, params)
	u := universeOf(its)
	inquiries := map[[3]string][]string{} // tenant, model, agent → inquiries
	for _, it := range its {
		k := [3]string{it.TenantID, it.Model, it.AgentID}
		if !slices.Contains(inquiries[k], it.Inquiry) {
			inquiries[k] = append(inquiries[k], it.Inquiry)
		}
	}
	nonEmpty, checked := 0, 0
	for tenant, agents := range u.agents {
		for _, model := range u.models[tenant] {
			metrics := ref.ModelMetrics(tenant, model)
			for si, spec := range specs(t, ref, tenant, model) {
				for ai, agent := range agents {
					if (ai+si)%2 != 0 && tenant != "moves" {
						continue
					}
					for _, inquiry := range append(inquiries[[3]string{tenant, model, agent}], "nosuchinquiry") {
						for mi, metric := range metrics {
							limit := []int{1, 5, 1000}[(ai+mi+si)%3]
							where := fmt.Sprintf("(%s, %s, %s, %s, %s, %+v, %d)", tenant, agent, model, inquiry, metric, spec, limit)
							want, werr := ref.WorstInteractions(tenant, agent, model, inquiry, metric, spec, limit)
							got, err := sv.WorstInteractions(ctx, tenant, agent, model, inquiry, metric, spec, limit)
							if err != nil || werr != nil {
								t.Fatalf("WorstInteractions%s: %v / %v", where, err, werr)
							}
							diff(t, "WorstInteractions"+where, got, want)
							all, _ := ref.WorstInteractions(tenant, agent, model, inquiry, metric, spec, 1<<30)
							newest := newestFirst(all, limit)
							got, err = sv.NewestInteractions(ctx, tenant, agent, model, inquiry, metric, spec, limit)
							if err != nil {
								t.Fatalf("NewestInteractions%s: %v", where, err)
							}
							diff(t, "NewestInteractions"+where, got, newest)
							checked++
							if len(want) > 1 {
								nonEmpty++
							}
						}
					}
				}
			}
		}
	}
	if checked < 200 || nonEmpty < 50 {
		t.Fatalf("only %d lists compared, %d with more than one interaction", checked, nonEmpty)
	}
}

// newestFirst returns its sorted with views.CompareNewestFirst, cut to
// limit.
func newestFirst(its []schemas.Interaction, limit int) []schemas.Interaction {
	ptrs := make([]*schemas.Interaction, len(its))
	for i := range its {
		ptrs[i] = &its[i]
	}
	slices.SortFunc(ptrs, views.CompareNewestFirst)
	out := []schemas.Interaction{}
	for _, p := range ptrs[:min(limit, len(ptrs))] {
		out = append(out, *p)
	}
	return out
}

// TestWorstInteractionsOrder checks the list's own contract on a
// hand-written feed: poorest first with ties newest first, only
// interactions with a value, only the range, and the errors.
func TestWorstInteractionsOrder(t *testing.T) {
	ctx := context.Background()
	its := teamMoves()
	st := embedded.New()
	fill(t, st, its)
	sv := storeview.New(st, views.Params{MinVolume: 1})
	// m1 on voice/x (handle time, ended): v-m1-0 (100, 10-01), v-m1-2 (122,
	// 10-03), v-m1-4 (144, 10-02), v-m1-late (300, 10-05).
	ids := func(list []schemas.Interaction) []string {
		out := []string{}
		for _, it := range list {
			out = append(out, it.InteractionID)
		}
		return out
	}
	cases := []struct {
		metric views.Metric
		worst  bool
		limit  int
		want   []string
	}{
		{views.MetricAHT, true, 10, []string{"v-m1-late", "v-m1-4", "v-m1-2", "v-m1-0"}},
		{views.MetricAHT, true, 2, []string{"v-m1-late", "v-m1-4"}},
		{views.MetricPSAT, true, 10, []string{"v-m1-0", "v-m1-2", "v-m1-4", "v-m1-late"}}, // psat = 0.5 + handle/10000
		{views.MetricPRES, true, 1, []string{"v-m1-late"}},                                // pres = 0.9 - handle/10000
		{views.MetricAHT, false, 10, []string{"v-m1-late", "v-m1-2", "v-m1-4", "v-m1-0"}}, // ended 10-05, 10-03, 10-02, 10-01
		{views.MetricAHT, true, 0, []string{}},
	}
	for _, c := range cases {
		get := sv.NewestInteractions
		if c.worst {
			get = sv.WorstInteractions
		}
		got, err := get(ctx, "moves", "m1", "voice", "x", c.metric, views.RangeSpec{}, c.limit)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(got), c.want) {
			t.Errorf("%s worst=%v limit %d: %v, want %v", c.metric, c.worst, c.limit, ids(got), c.want)
		}
	}
	// email has no predictions: nothing has a psat value.
	got, err := sv.WorstInteractions(ctx, "moves", "m4", "email", "z", views.MetricPSAT, views.RangeSpec{}, 10)
	if err != nil || len(got) != 0 || got == nil {
		t.Errorf("email psat: %v, %v; want an empty list", got, err)
	}
	if _, err := sv.WorstInteractions(ctx, "moves", "m1", "fax", "x", views.MetricAHT, views.RangeSpec{}, 10); !errors.Is(err, views.ErrNoData) {
		t.Errorf("unknown model: err = %v, want ErrNoData", err)
	}
	var fe *views.FieldError
	if _, err := sv.WorstInteractions(ctx, "moves", "m1", "voice", "x", "speed", views.RangeSpec{}, 10); !errors.As(err, &fe) || fe.Field != "metric" {
		t.Errorf("unknown metric: err = %v, want a FieldError for metric", err)
	}
}

func BenchmarkWorstInteractions(b *testing.B) {
	ctx := context.Background()
	its := simulated(b, 12, 10)
	st := embedded.New()
	fill(b, st, its)
	sv := storeview.New(st, views.Params{MinVolume: 3})
	it := its[0]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sv.WorstInteractions(ctx, it.TenantID, it.AgentID, it.Model, it.Inquiry, views.MetricAHT, views.RangeSpec{}, 10); err != nil {
			b.Fatal(err)
		}
	}
}
