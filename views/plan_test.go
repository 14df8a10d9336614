package views

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// now is 2026-11-26 15:00 UTC in every plan test.
var planNow = time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC)

func validInput() PlanInput {
	return PlanInput{
		Model: "voice", Inquiry: "billing", Metric: MetricAHT, ImprovementPct: 10,
		TargetDate: "2027-01-15", // 50 days away: no warning
		Actions:    []string{"Use the billing checklist"},
		Assistance: []string{"Side-by-side coaching"},
	}
}

// fields lists the fields of a ValidatePlan error, in order.
func fields(err error) []string {
	var fe FieldErrors
	if !errors.As(err, &fe) {
		return nil
	}
	var out []string
	for _, e := range fe {
		out = append(out, e.Field)
	}
	return out
}

func TestPlanValidation(t *testing.T) {
	voice := []Metric{MetricAES, MetricAHT, MetricPSAT, MetricPRES}
	email := []Metric{MetricAES, MetricAHT}
	cases := []struct {
		name      string
		edit      func(*PlanInput)
		metrics   []Metric
		noStart   bool
		want      []string
		wantInMsg string
	}{
		{name: "valid", edit: func(*PlanInput) {}},
		{name: "pct 5 inclusive", edit: func(in *PlanInput) { in.ImprovementPct = 5 }},
		{name: "pct 50 inclusive", edit: func(in *PlanInput) { in.ImprovementPct = 50 }},
		{name: "pct 4.99", edit: func(in *PlanInput) { in.ImprovementPct = 4.99 }, want: []string{"improvement_pct"}, wantInMsg: "between 5 and 50"},
		{name: "pct 50.01", edit: func(in *PlanInput) { in.ImprovementPct = 50.01 }, want: []string{"improvement_pct"}},
		{name: "pct missing", edit: func(in *PlanInput) { in.ImprovementPct = 0 }, want: []string{"improvement_pct"}},
		{name: "date missing", edit: func(in *PlanInput) { in.TargetDate = "" }, want: []string{"target_date"}},
		{name: "date today", edit: func(in *PlanInput) { in.TargetDate = "2026-11-26" }, want: []string{"target_date"}, wantInMsg: "after today (2026-11-26"},
		{name: "date past", edit: func(in *PlanInput) { in.TargetDate = "2025-01-01" }, want: []string{"target_date"}},
		{name: "date tomorrow", edit: func(in *PlanInput) { in.TargetDate = "2026-11-27" }},
		{name: "date impossible", edit: func(in *PlanInput) { in.TargetDate = "2027-02-30" }, want: []string{"target_date"}, wantInMsg: "YYYY-MM-DD"},
		{name: "date short form", edit: func(in *PlanInput) { in.TargetDate = "2027-1-5" }, want: []string{"target_date"}},
		{name: "date with time", edit: func(in *PlanInput) { in.TargetDate = "2027-01-15T00:00:00Z" }, want: []string{"target_date"}},
		{name: "no actions", edit: func(in *PlanInput) { in.Actions = nil }, want: []string{"actions"}, wantInMsg: "at least one action"},
		{name: "four actions", edit: func(in *PlanInput) { in.Actions = []string{"a", "b", "c", "d"} }, want: []string{"actions"}},
		{name: "three actions", edit: func(in *PlanInput) { in.Actions = []string{"a", "b", "c"} }},
		{name: "blank action", edit: func(in *PlanInput) { in.Actions = []string{"ok", "  \t"} }, want: []string{"actions[1]"}, wantInMsg: "action 2 is empty"},
		{name: "action 500 chars", edit: func(in *PlanInput) { in.Actions = []string{" " + strings.Repeat("é", 500) + " "} }},
		{name: "action 501 chars", edit: func(in *PlanInput) { in.Actions = []string{strings.Repeat("é", 501)} }, want: []string{"actions[0]"}, wantInMsg: "501 characters"},
		{name: "no assistance", edit: func(in *PlanInput) { in.Assistance = []string{} }, want: []string{"assistance"}},
		{name: "four asks", edit: func(in *PlanInput) { in.Assistance = []string{"a", "b", "c", "d"} }, want: []string{"assistance"}},
		{name: "ask 200 chars", edit: func(in *PlanInput) { in.Assistance = []string{strings.Repeat("x", 200)} }},
		{name: "ask 201 chars", edit: func(in *PlanInput) { in.Assistance = []string{"x", strings.Repeat("x", 201)} }, want: []string{"assistance[1]"}},
		{name: "metric unknown", edit: func(in *PlanInput) { in.Metric = "speed" }, want: []string{"metric"}},
		{name: "metric missing", edit: func(in *PlanInput) { in.Metric = "" }, want: []string{"metric"}},
		{name: "email has no psat", edit: func(in *PlanInput) { in.Model, in.Metric = "email", MetricPSAT }, metrics: email, want: []string{"metric"}, wantInMsg: "email model has no predicted satisfaction"},
		{name: "email aht", edit: func(in *PlanInput) { in.Model = "email" }, metrics: email},
		{name: "aes allowed", edit: func(in *PlanInput) { in.Metric = MetricAES }},
		{name: "model missing", edit: func(in *PlanInput) { in.Model = "" }, want: []string{"model"}},
		{name: "model without data", edit: func(in *PlanInput) { in.Model = "fax" }, metrics: []Metric{}, noStart: true, want: []string{"model"}},
		{name: "inquiry missing", edit: func(in *PlanInput) { in.Inquiry = "" }, noStart: true, want: []string{"inquiry"}},
		{name: "no data to start from", edit: func(*PlanInput) {}, noStart: true, want: []string{"inquiry"}, wantInMsg: "no data to start from"},
		{name: "every rule at once", edit: func(in *PlanInput) {
			*in = PlanInput{Metric: "x", ImprovementPct: 70, TargetDate: "soon", Actions: []string{""}, Assistance: []string{"a", "b", "c", "d"}}
		}, noStart: true, want: []string{"model", "metric", "inquiry", "improvement_pct", "target_date", "actions[0]", "assistance"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := validInput()
			c.edit(&in)
			metrics := c.metrics
			if metrics == nil {
				metrics = voice
			}
			_, err := ValidatePlan(in, planNow, metrics, !c.noStart)
			if got := fields(err); !slices.Equal(got, c.want) {
				t.Fatalf("fields = %v (%v), want %v", got, err, c.want)
			}
			if err != nil && !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("error %v does not match ErrInvalidInput", err)
			}
			if c.wantInMsg != "" && !strings.Contains(err.Error(), c.wantInMsg) {
				t.Fatalf("error %q does not say %q", err, c.wantInMsg)
			}
		})
	}
}

func TestPlanWarnings(t *testing.T) {
	// today = 2026-11-26; +14 days = 2026-12-10; AddDate(0,3,0) = 2027-02-26.
	cases := []struct {
		date string
		want int
	}{
		{"2026-11-27", 1},
		{"2026-12-09", 1}, // 13 days
		{"2026-12-10", 0}, // 14 days
		{"2027-02-26", 0}, // exactly 3 months
		{"2027-02-27", 1},
		{"2030-01-01", 1},
	}
	for _, c := range cases {
		in := validInput()
		in.TargetDate = c.date
		warnings, err := ValidatePlan(in, planNow, []Metric{MetricAES, MetricAHT}, true)
		if err != nil {
			t.Fatalf("%s refused: %v", c.date, err)
		}
		if len(warnings) != c.want || (c.want > 0 && warnings[0].Field != "target_date") {
			t.Errorf("%s: warnings %v, want %d", c.date, warnings, c.want)
		}
	}
}

func TestPlanTarget(t *testing.T) {
	cases := []struct {
		m          Metric
		start, pct float64
		want       float64
	}{
		{MetricAHT, 320, 10, 288},   // 320 × 0.9
		{MetricAES, 400, 50, 200},   // 400 × 0.5
		{MetricPSAT, 0.8, 10, 0.88}, // 0.8 × 1.1
		{MetricPRES, 0.5, 50, 0.75}, // 0.5 × 1.5
		{MetricPSAT, 0.95, 10, 1},   // 1.045 capped at 1
	}
	for _, c := range cases {
		if got := PlanTarget(c.m, c.start, c.pct); !AlmostEqual(got, c.want) {
			t.Errorf("PlanTarget(%s, %v, %v) = %v, want %v", c.m, c.start, c.pct, got, c.want)
		}
	}
}

func TestPlanOnTrack(t *testing.T) {
	cases := []struct {
		m           Metric
		now, target float64
		hasNow      bool
		want        bool
	}{
		{MetricAHT, 288, 288, true, true},
		{MetricAHT, 288.1, 288, true, false},
		{MetricPSAT, 0.88, 0.88, true, true},
		{MetricPSAT, 0.87, 0.88, true, false},
		{MetricAHT, 0, 288, false, false}, // no interactions in Now
	}
	for _, c := range cases {
		if got := OnTrack(c.m, c.now, c.hasNow, c.target); got != c.want {
			t.Errorf("OnTrack(%s, %v, %v, %v) = %v", c.m, c.now, c.hasNow, c.target, got)
		}
		want := PlanMissed
		if c.want {
			want = PlanAchieved
		}
		if got := Settle(c.m, c.now, c.hasNow, c.target); got != want {
			t.Errorf("Settle(%s, %v, %v, %v) = %s, want %s", c.m, c.now, c.hasNow, c.target, got, want)
		}
	}
}

func TestPlanStatusTransitions(t *testing.T) {
	all := []PlanStatus{PlanInProgress, PlanAchieved, PlanMissed, PlanCancelled, "paused"}
	allowed := map[[2]PlanStatus]bool{
		{PlanInProgress, PlanAchieved}:  true,
		{PlanInProgress, PlanMissed}:    true,
		{PlanInProgress, PlanCancelled}: true,
	}
	for _, from := range all {
		for _, to := range all {
			err := Transition(from, to)
			if allowed[[2]PlanStatus{from, to}] {
				if err != nil {
					t.Errorf("%s → %s refused: %v", from, to, err)
				}
			} else if !errors.Is(err, ErrInvalidTransition) {
				t.Errorf("%s → %s = %v, want ErrInvalidTransition", from, to, err)
			}
		}
	}
	for s, want := range map[PlanStatus]bool{PlanInProgress: false, PlanAchieved: true, PlanMissed: true, PlanCancelled: true} {
		if s.Terminal() != want {
			t.Errorf("%s.Terminal() = %v", s, !want)
		}
	}
}

func TestPlanStartWindowAndDue(t *testing.T) {
	cases := []struct{ created, from, to string }{
		{"2026-11-26T15:20:00Z", "2026-08-26T16:00:00Z", "2026-11-26T16:00:00Z"},
		{"2026-11-26T15:00:00Z", "2026-08-26T15:00:00Z", "2026-11-26T15:00:00Z"},
		{"2026-05-31T10:30:00+02:00", "2026-03-03T09:00:00Z", "2026-05-31T09:00:00Z"}, // "31 Feb" = 3 Mar
	}
	for _, c := range cases {
		w := StartWindow(utc(c.created))
		if !w.From.Equal(utc(c.from)) || !w.To.Equal(utc(c.to)) {
			t.Errorf("StartWindow(%s) = %v, want [%s, %s)", c.created, w, c.from, c.to)
		}
	}
	due, err := DueAt("2027-01-15")
	if err != nil || !due.Equal(utc("2027-01-15T00:00:00Z")) {
		t.Fatalf("DueAt = %v, %v", due, err)
	}
	if _, err := DueAt("2027-02-29"); err == nil {
		t.Fatal("DueAt accepted 2027-02-29")
	}
}

func TestDecodePlanInput(t *testing.T) {
	good := `{"model":"voice","inquiry":"billing","metric":"aht","improvement_pct":7.5,
		"target_date":"2027-01-15","actions":["a"],"assistance":["b"]}`
	in, err := DecodePlanInput([]byte(good))
	if err != nil || in.ImprovementPct != 7.5 || in.Metric != MetricAHT || len(in.Actions) != 1 {
		t.Fatalf("DecodePlanInput = %+v, %v", in, err)
	}
	cases := []struct{ body, field string }{
		{`[]`, "body"},
		{`null`, "body"},
		{``, "body"},
		{`{"model": "voice"`, "body"},
		{`{"model": "voice"} {}`, "body"},
		{`{"model": "voice"} x`, "body"},
		{`{"colour": "red"}`, "colour"},
		{`{"Model": "voice"}`, "Model"},
		{`{"": 1}`, "body"},
		{`{"improvement_pct": "10"}`, "improvement_pct"},
		{`{"actions": "call back"}`, "actions"},
		{`{"actions": [1]}`, "actions"},
		{`{"model": 3}`, "model"},
		{"{\"model\": \"\xff\"}", "body"},
	}
	for _, c := range cases {
		_, err := DecodePlanInput([]byte(c.body))
		if firstField(err) != c.field {
			t.Errorf("DecodePlanInput(%q) = %v; want field %q", c.body, err, c.field)
		}
	}
}

func FuzzDecodePlanInput(f *testing.F) {
	f.Add([]byte(`{"model":"voice","inquiry":"billing","metric":"aht","improvement_pct":10,"target_date":"2027-01-15","actions":["a"],"assistance":["b"]}`))
	f.Add([]byte(`{"improvement_pct": 1e400}`))
	f.Add([]byte(`{"actions": [null, "x"], "metric": null}`))
	f.Add([]byte(`{"model": "voice"} {}`))
	f.Add([]byte(`{"x": 1}`))
	f.Add([]byte(`  `))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := DecodePlanInput(data)
		if err != nil {
			if firstField(err) == "" {
				t.Fatalf("error %v names no field", err)
			}
			return
		}
		// Whatever decodes must validate without panicking and report only
		// known fields.
		_, verr := ValidatePlan(in.Normalized(), planNow, []Metric{MetricAES, MetricAHT}, true)
		for _, f := range fields(verr) {
			base, _, _ := strings.Cut(f, "[")
			switch base {
			case "model", "inquiry", "metric", "improvement_pct", "target_date", "actions", "assistance":
			default:
				t.Fatalf("unknown field %q in %v", f, verr)
			}
		}
	})
}

func TestAtRisk(t *testing.T) {
	created := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	plan := func(target string, onTrack bool, st PlanStatus) *Plan {
		return &Plan{CreatedAt: created, TargetDate: target, OnTrack: onTrack, Status: st}
	}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		p    *Plan
		want bool
	}{
		{"7 days left, behind", plan("2026-12-08", false, PlanInProgress), true},
		{"19 days left of 49, behind", plan("2026-12-20", false, PlanInProgress), false},
		{"7 days left, on track", plan("2026-12-08", true, PlanInProgress), false},
		{"cancelled", plan("2026-12-08", false, PlanCancelled), false},
		{"due", plan("2026-12-01", false, PlanInProgress), false},
		// Created 2026-11-01T10:00, due 2027-02-01: span ≈ 92 days; 62 days
		// left is more than a quarter; a plan due 2026-12-10 (39 days) with
		// 9 left has less than a quarter left.
		{"a quarter of a long plan left", plan("2027-02-01", false, PlanInProgress), false},
		{"less than a quarter left", plan("2026-12-10", false, PlanInProgress), true},
		{"bad date", plan("2026-13-01", false, PlanInProgress), false},
	} {
		if got := AtRisk(c.p, now); got != c.want {
			t.Errorf("%s: AtRisk = %v, want %v", c.name, got, c.want)
		}
	}
}
