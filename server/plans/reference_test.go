package plans_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
)

var (
	t1 = time.Date(2026, 11, 4, 10, 0, 0, 0, time.UTC)  // plans are created
	t2 = time.Date(2026, 11, 5, 18, 30, 0, 0, time.UTC) // in progress, two days of history
	t3 = time.Date(2026, 11, 6, 0, 30, 0, 0, time.UTC)  // due (target 2026-11-06): settled
)

// expected is the reference's view of base (the plan as created, in
// progress) as of asOf.
func expected(ref *reference.Dataset, base views.Plan, asOf time.Time) views.Plan {
	pr := ref.PlanProgress(base, asOf)
	p := base
	p.NowValue, p.NowVolume, p.OnTrack, p.Status = pr.NowValue, pr.NowVolume, pr.OnTrack, pr.Status
	p.RecentValue, p.RecentVolume = pr.RecentValue, pr.RecentVolume
	p.History = ref.History(base, asOf)
	return p
}

type combo struct {
	agent string
	in    views.PlanInput
}

// combos are plan inputs over the tenant's data: every (agent, model,
// inquiry) the agent handled, each with a metric in turn (psat on email
// is refused), plus refused ones: an inquiry without data, and a model
// without data. every keeps one combo in every.
func combos(e *env, every int) []combo {
	type key struct{ agent, model, inquiry string }
	var keys []key
	for _, it := range e.its {
		k := key{it.AgentID, it.Model, it.Inquiry}
		if it.TenantID == e.tenant && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if a.agent+a.model+a.inquiry < b.agent+b.model+b.inquiry {
			return -1
		}
		return 1
	})
	var out []combo
	for i, k := range keys {
		if i%every != 0 {
			continue
		}
		m := views.Metrics()[(i/every)%4]
		out = append(out, combo{k.agent, views.PlanInput{Model: k.model, Inquiry: k.inquiry, Metric: m, ImprovementPct: float64(5 + i%46),
			TargetDate: "2026-11-06", Actions: []string{"  Use the checklist  ", "Listen to two top calls"}, Assistance: []string{"Side-by-side coaching"}}})
	}
	a := keys[0]
	out = append(out,
		combo{a.agent, views.PlanInput{Model: a.model, Inquiry: "no-such-inquiry", Metric: views.MetricAHT, ImprovementPct: 10, TargetDate: "2026-11-06", Actions: []string{"x"}, Assistance: []string{"y"}}},
		combo{a.agent, views.PlanInput{Model: "fax", Inquiry: a.inquiry, Metric: views.MetricAHT, ImprovementPct: 10, TargetDate: "2026-11-06", Actions: []string{"x"}, Assistance: []string{"y"}}},
	)
	return out
}

// TestPlansEqualReference creates plans over the simulated feed on each
// store and checks, against views/reference: the created plan (NewPlan),
// the plan two days on (PlanProgress, History), and the plan settled at
// its target date by the sweeper (and lazily by a read).
func TestPlansEqualReference(t *testing.T) {
	its := simulated(t)
	for _, kind := range storeKinds {
		t.Run(kind, func(t *testing.T) {
			e := newEnv(t, kind, its, t1)
			every := 1
			if kind == "clickhouse" {
				every = 8
			}
			admin := token(t, auth.Claims{Tenant: e.tenant, Subject: "boss", Role: auth.RoleAdmin})
			var created []views.Plan
			okN, refusedN := 0, 0
			for _, c := range combos(e, every) {
				body, _ := json.Marshal(c.in)
				code, got := e.do(admin, http.MethodPost, "/v1/agents/"+c.agent+"/plans", string(body))
				want, werr := e.ref.NewPlan(e.tenant, c.agent, "", c.in, t1)
				if werr != nil {
					refusedN++
					var fes views.FieldErrors
					if !errors.As(werr, &fes) {
						t.Fatalf("reference error %v is not FieldErrors", werr)
					}
					if code != http.StatusBadRequest {
						t.Errorf("%s %+v = %d, want 400 (%v): %s", c.agent, c.in, code, werr, got)
						continue
					}
					b := decode[errorsBody](t, got)
					var gotFields, wantFields []string
					for _, f := range b.Errors {
						gotFields = append(gotFields, f.Field)
					}
					for _, f := range fes {
						wantFields = append(wantFields, f.Field)
					}
					if !slices.Equal(gotFields, wantFields) || b.Field != wantFields[0] {
						t.Errorf("%s %+v: fields %v (first %q), want %v", c.agent, c.in, gotFields, b.Field, wantFields)
					}
					continue
				}
				if code != http.StatusCreated {
					t.Errorf("%s %+v = %d, want 201: %s", c.agent, c.in, code, got)
					continue
				}
				okN++
				p := decode[views.Plan](t, got)
				want.ID = p.ID
				if d, ok := samePlan(p, want); !ok {
					t.Errorf("created plan %s/%s/%s differs from the reference: %s", c.agent, c.in.Model, c.in.Inquiry, d)
				}
				created = append(created, p)
			}
			if okN == 0 || refusedN < 2 {
				t.Fatalf("%d plans created, %d refused: the combos do not exercise both", okN, refusedN)
			}
			// Two days on: Now and a two-day history.
			e.clock.set(t2)
			for _, base := range created {
				code, got := e.do(admin, http.MethodGet, "/v1/plans/"+base.ID, "")
				if code != http.StatusOK {
					t.Fatalf("GET plan = %d: %s", code, got)
				}
				if d, ok := samePlan(decode[views.Plan](t, got), expected(e.ref, base, t2)); !ok {
					t.Errorf("plan %s at t2 differs from the reference: %s", base.ID, d)
				}
			}
			// Due: the sweeper settles every plan and publishes it.
			e.clock.set(t3)
			if err := e.svc.Sweep(t.Context()); err != nil {
				t.Fatal(err)
			}
			achieved := 0
			for _, base := range created {
				want := expected(e.ref, base, t3)
				if want.Status == views.PlanInProgress {
					t.Fatalf("reference left plan %s in progress at its due time", base.ID)
				}
				if want.Status == views.PlanAchieved {
					achieved++
				}
				pub, n := e.pub.last("plan:" + base.ID)
				if n == 0 || pub.Status != want.Status {
					t.Errorf("plan %s: last published status %q (%d messages), want %q", base.ID, pub.Status, n, want.Status)
				}
				code, got := e.do(admin, http.MethodGet, "/v1/plans/"+base.ID, "")
				if code != http.StatusOK {
					t.Fatalf("GET plan = %d: %s", code, got)
				}
				if d, ok := samePlan(decode[views.Plan](t, got), want); !ok {
					t.Errorf("settled plan %s differs from the reference: %s", base.ID, d)
				}
				rec, err := e.planStore().Plan(t.Context(), e.tenant, base.ID)
				if err != nil || rec.Plan.Status != want.Status {
					t.Errorf("stored plan %s: status %q, %v; want %q", base.ID, rec.Plan.Status, err, want.Status)
				}
			}
			t.Logf("%d plans (%d achieved), %d refused", okN, achieved, refusedN)
			// The list agrees with the reads, per status.
			agent := created[0].AgentID
			for _, st := range []views.PlanStatus{"", views.PlanAchieved, views.PlanMissed, views.PlanInProgress} {
				target := "/v1/agents/" + agent + "/plans"
				if st != "" {
					target += "?status=" + string(st)
				}
				code, got := e.do(admin, http.MethodGet, target, "")
				if code != http.StatusOK {
					t.Fatalf("list = %d: %s", code, got)
				}
				var want []string
				for _, base := range created {
					if base.AgentID == agent && (st == "" || expected(e.ref, base, t3).Status == st) {
						want = append(want, base.ID)
					}
				}
				var ids []string
				for _, p := range decode[struct{ Plans []views.Plan }](t, got).Plans {
					ids = append(ids, p.ID)
				}
				slices.Sort(ids)
				slices.Sort(want)
				if !slices.Equal(ids, want) {
					t.Errorf("list status %q = %v, want %v", st, ids, want)
				}
			}
		})
	}
}

type errorsBody struct {
	Error  string `json:"error"`
	Field  string `json:"field"`
	Errors []struct {
		Field string `json:"field"`
		Error string `json:"error"`
	} `json:"errors"`
}
