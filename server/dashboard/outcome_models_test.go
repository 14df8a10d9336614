package dashboard_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/ingest/simulator"
	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/server/app/apptest"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
)

// refModels answers GET /v1/outcome-models from the reference learner
// (views/reference runs labels and learner from raw records: what the
// product's learner, processor/learn, is tested against).
type refModels struct{ d *reference.Dataset }

func (r refModels) Models(tenant, model string) (views.OutcomeModels, bool) {
	m, err := r.d.OutcomeModels(tenant, model)
	return m, err == nil
}

// learntCenter runs the reference learner over a small simulated center
// without predictions in the feed (surveys and repeat contacts only).
func learntCenter(t *testing.T) *reference.Dataset {
	t.Helper()
	cfg := simulator.DefaultConfig(time.Now().UTC().Truncate(24 * time.Hour))
	cfg.Agents, cfg.Days, cfg.Tenants, cfg.Seed, cfg.NoPredictions = 30, 40, 1, 7, true
	g, err := simulator.New(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	var its []schemas.Interaction
	var outs []schemas.Outcome
	if _, err := g.Run(context.Background(), func(b simulator.Batch) error {
		its, outs = append(its, b.Records...), append(outs, b.Outcomes...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return reference.NewWithOutcomes(its, outs, views.DefaultParams(), outcomes.Config{})
}

// shownTargetsJS reads the page: "model/target" → serving, labels, whether
// a chart was drawn, deciles in the table.
const shownTargetsJS = `(() => { const out = {}; for (const s of document.querySelectorAll("section.om-model")) {
  for (const c of s.querySelectorAll("section.om-target")) out[s.dataset.model + "/" + c.dataset.target] = {
    serving: c.dataset.serving, labels: c.querySelector('[data-fig="labels"] dd').textContent,
    chart: !!c.querySelector(".om-chart canvas"), rows: c.querySelectorAll(".om-table tbody tr").length };
} return out; })()`

type shownTarget struct {
	Serving, Labels string
	Chart           bool
	Rows            int
}

// TestOutcomeModelsPage: an admin's Outcome models page shows, per model
// with data and target, what GET /v1/outcome-models answers (what is
// served, the labels), a calibration chart and its table; it passes the
// accessibility check, fits a phone, and is captured at 1280×800,
// 390×844 and 1920×1080; a supervisor has no link to it and is refused.
func TestOutcomeModelsPage(t *testing.T) {
	p := apptest.Start(t, apptest.Options{OutcomeModels: refModels{learntCenter(t)}})
	admin := p.Token(t, auth.Claims{Subject: "admin", Role: auth.RoleAdmin})
	ctx := browser(t)
	signIn(t, ctx, p, admin, "#/outcome-models")
	run(t, ctx, "open the page",
		chromedp.WaitVisible(`a[href="#/outcome-models"]`, chromedp.ByQuery),
		chromedp.WaitVisible("section.om-target", chromedp.ByQuery))
	waitJS(t, ctx, "calibration charts drawn", `document.querySelectorAll(".om-chart canvas").length > 0`, `document.querySelectorAll(".om-chart canvas").length`)

	var tm struct {
		Models []struct {
			Model string `json:"model"`
		} `json:"models"`
	}
	mustGet(t, p, admin, "/v1/models", &tm)
	shown := map[string]shownTarget{}
	run(t, ctx, "read the page", chromedp.Evaluate(shownTargetsJS, &shown))
	checked := 0
	for _, m := range tm.Models {
		var om views.OutcomeModels
		if code, _ := apiGet(t, p, admin, "/v1/outcome-models?model="+m.Model, &om); code != 200 {
			continue
		}
		for _, tg := range om.Targets {
			k := m.Model + "/" + tg.Target
			s, ok := shown[k]
			if !ok {
				t.Errorf("%s not shown", k)
				continue
			}
			unit := map[string]string{"satisfaction": "surveys", "resolution": "followed-up contacts"}[tg.Target]
			if s.Serving != tg.Serving || s.Labels != fmtThousands(tg.Labels)+" "+unit || s.Rows != 10 {
				t.Errorf("%s shown %+v, API serving %s labels %d", k, s, tg.Serving, tg.Labels)
			}
			if tg.WindowLabels > 0 && !s.Chart {
				t.Errorf("%s: %d labels in the window and no calibration chart", k, tg.WindowLabels)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no model's targets compared")
	}
	checkA11y(t, ctx, "outcome models", 0)
	fitsPhone(t, ctx, "outcome models")
	screenshots(t, ctx, "outcome-models")
	var chartW int64
	run(t, ctx, "chart at phone width", chromedp.EmulateViewport(390, 844), chromedp.Sleep(400*time.Millisecond),
		chromedp.Evaluate(`Math.max(...[...document.querySelectorAll(".om-chart .uplot")].map((e) => e.getBoundingClientRect().right))`, &chartW),
		chromedp.EmulateViewport(1280, 800))
	if chartW > 390 {
		t.Errorf("a calibration chart reaches %d px at a 390 px phone width", chartW)
	}

	sup := p.Token(t, auth.Claims{Subject: "lead", Role: auth.RoleSupervisor, Teams: []string{"team-1"}})
	signIn(t, ctx, p, sup, "#/outcome-models")
	var links int
	run(t, ctx, "supervisor",
		chromedp.WaitVisible(`main p.error`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('a[href="#/outcome-models"]').length`, &links))
	if links != 0 {
		t.Errorf("a supervisor has %d links to the outcome models", links)
	}
	t.Log(fmt.Sprintf("%d targets compared", checked))
}
