package simulator

import (
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
)

// world is one mid-sized simulation shared by the realism tests.
var world = sync.OnceValues(func() (*Generator, []schemas.Interaction) {
	cfg := testConfig(150, 28)
	cfg.Tenants = 2
	g, err := New(cfg, 0)
	if err != nil {
		panic(err)
	}
	var its []schemas.Interaction
	if _, err := g.Each(testContext(), func(it *schemas.Interaction) error {
		its = append(its, *it)
		return nil
	}); err != nil {
		panic(err)
	}
	return g, its
})

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func TestWeekdaysBusierThanWeekends(t *testing.T) {
	g, its := world()
	perDate := map[time.Time]float64{}
	for i := range its {
		l := localTime(g, &its[i])
		perDate[time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)]++
	}
	from, to := g.Period()
	var weekday, weekend []float64
	for d, n := range perDate {
		if !d.After(from) || !d.Add(48*time.Hour).Before(to) {
			continue // partial local days at the period's edges
		}
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			weekend = append(weekend, n)
		} else {
			weekday = append(weekday, n)
		}
	}
	if len(weekend) < 4 || len(weekday) < 10 {
		t.Fatalf("too few days: %d weekday, %d weekend", len(weekday), len(weekend))
	}
	wd, we := mean(weekday), mean(weekend)
	t.Logf("mean records per local weekday %.0f, weekend day %.0f", wd, we)
	if we > 0.5*wd {
		t.Errorf("mean weekend day %.0f records, weekday %.0f: want weekends clearly lighter", we, wd)
	}
}

func TestNightsQuieterThanDays(t *testing.T) {
	g, its := world()
	var byHour [24]float64
	for i := range its {
		byHour[localTime(g, &its[i]).Hour()]++
	}
	night := mean(byHour[0:5])
	peak := max(byHour[10], byHour[11], byHour[14])
	t.Logf("records by local hour: %v", byHour)
	if night > 0.15*peak {
		t.Errorf("mean night hour %.0f, peak hour %.0f: want nights quiet (%v)", night, peak, byHour)
	}
	// Peaks late morning and early afternoon, a dip around lunch.
	if !(byHour[10] > byHour[8] && byHour[14] > byHour[17] && byHour[12] < byHour[10]) {
		t.Errorf("hourly volume has the wrong shape: %v", byHour)
	}
}

func TestPredictionsPerModel(t *testing.T) {
	_, its := world()
	seen := map[string]int{}
	for i := range its {
		it := &its[i]
		seen[it.Model]++
		hasSat, hasRes := it.PredictedSatisfaction != nil, it.PredictedResolution != nil
		if want := it.Model != "email"; hasSat != want || hasRes != want {
			t.Fatalf("%s record %s: predictions present = %v/%v, want %v", it.Model, it.InteractionID, hasSat, hasRes, want)
		}
	}
	for _, m := range Models() {
		if seen[m] == 0 {
			t.Errorf("no %s records", m)
		}
	}
}

func TestInquiriesAreFromTheCatalogue(t *testing.T) {
	_, its := world()
	for i := range its {
		if !slices.Contains(Inquiries(its[i].Model), its[i].Inquiry) {
			t.Fatalf("%s inquiry %q not in the catalogue", its[i].Model, its[i].Inquiry)
		}
	}
}

func TestVolumePerAgentPerWorkingDay(t *testing.T) {
	_, its := world()
	// A shift is (agent, local date): the sim id without its sequence.
	shifts := map[string]bool{}
	for i := range its {
		id := its[i].SourceRefs.Map()["sim_id"] // seed/agent/yyyymmdd/seq
		shifts[its[i].TenantID+"/"+id[:strings.LastIndexByte(id, '/')]] = true
	}
	perShift := float64(len(its)) / float64(len(shifts))
	t.Logf("%.1f interactions per agent per working day", perShift)
	if perShift < 40 || perShift > 60 {
		t.Errorf("%.1f interactions per agent per working day, want 40..60", perShift)
	}
}

// voiceAgentMeans returns each voice agent's mean handle time and mean predicted
// satisfaction over the world, keyed by tenant/agent.
func voiceAgentMeans(its []schemas.Interaction) (aht, psat map[string]float64) {
	type acc struct{ n, h, s float64 }
	accs := map[string]*acc{}
	for i := range its {
		it := &its[i]
		if it.Model != "voice" {
			continue
		}
		k := it.TenantID + "/" + it.AgentID
		a := accs[k]
		if a == nil {
			a = &acc{}
			accs[k] = a
		}
		a.n++
		a.h += it.HandleTimeS
		a.s += *it.PredictedSatisfaction
	}
	aht, psat = map[string]float64{}, map[string]float64{}
	for k, a := range accs {
		if a.n >= 50 {
			aht[k], psat[k] = a.h/a.n, a.s/a.n
		}
	}
	return aht, psat
}

func TestSkilledAgentsAreFasterAndBetter(t *testing.T) {
	g, its := world()
	aht, psat := voiceAgentMeans(its)
	type agentSkill struct {
		key   string
		skill float64
	}
	var ranked []agentSkill
	for _, tn := range g.Tenants() {
		for _, a := range tn.Agents {
			if k := tn.ID + "/" + a.AgentID; aht[k] > 0 {
				ranked = append(ranked, agentSkill{k, a.SkillAt(0.5)})
			}
		}
	}
	if len(ranked) < 50 {
		t.Fatalf("only %d voice agents", len(ranked))
	}
	slices.SortFunc(ranked, func(a, b agentSkill) int { return cmpFloat(b.skill, a.skill) })
	decile := len(ranked) / 10
	var topAHT, botAHT, topSat, botSat []float64
	for _, a := range ranked[:decile] {
		topAHT, topSat = append(topAHT, aht[a.key]), append(topSat, psat[a.key])
	}
	for _, a := range ranked[len(ranked)-decile:] {
		botAHT, botSat = append(botAHT, aht[a.key]), append(botSat, psat[a.key])
	}
	t.Logf("voice AHT top decile %.0f s, bottom %.0f s; psat %.3f vs %.3f", mean(topAHT), mean(botAHT), mean(topSat), mean(botSat))
	if mean(topAHT) >= mean(botAHT) {
		t.Errorf("top-skill decile mean AHT %.0f s, bottom %.0f s: want the top faster", mean(topAHT), mean(botAHT))
	}
	if mean(topSat) <= mean(botSat) {
		t.Errorf("top-skill decile mean psat %.3f, bottom %.3f: want the top higher", mean(topSat), mean(botSat))
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestRushedHardContactsResolveLess(t *testing.T) {
	_, its := world()
	median := map[string]float64{}
	for _, q := range catalogue[0].inquiries {
		median[q.name] = q.handle
	}
	var rushed, normal []float64
	for i := range its {
		it := &its[i]
		if it.Model != "voice" || (it.Inquiry != "technical_support" && it.Inquiry != "complaint") {
			continue
		}
		switch r := it.HandleTimeS / median[it.Inquiry]; {
		case r < 0.35:
			rushed = append(rushed, *it.PredictedResolution)
		case r > 0.8 && r < 1.25:
			normal = append(normal, *it.PredictedResolution)
		}
	}
	t.Logf("pres of rushed hard calls %.3f (n=%d), of normal ones %.3f (n=%d)", mean(rushed), len(rushed), mean(normal), len(normal))
	if len(rushed) < 30 || mean(rushed) > mean(normal)-0.1 {
		t.Errorf("rushed hard calls resolve %.3f (n=%d), normal ones %.3f: want clearly lower", mean(rushed), len(rushed), mean(normal))
	}
}

func TestHandleTimeIsRightSkewedAndBounded(t *testing.T) {
	_, its := world()
	var voice []float64
	for i := range its {
		h := its[i].HandleTimeS
		if h < 0 || h > maxHandle || h != math.Trunc(h) {
			t.Fatalf("handle_time_s %v", h)
		}
		if its[i].Model == "voice" {
			voice = append(voice, h)
		}
	}
	slices.Sort(voice)
	if med := voice[len(voice)/2]; mean(voice) <= med {
		t.Errorf("voice mean handle %.0f <= median %.0f: want a log-normal-like right tail", mean(voice), med)
	}
}

func TestImprovingAgentsImprove(t *testing.T) {
	cfg := testConfig(120, 60)
	g := mustNew(t, cfg, 0)
	improving := map[string]bool{}
	for _, a := range g.Tenants()[0].Agents {
		if a.Trend > 0.8 {
			improving[a.AgentID] = true
		}
	}
	if len(improving) < 5 {
		t.Fatalf("only %d strongly improving agents", len(improving))
	}
	from, _ := g.Period()
	var early, late []float64
	if _, err := g.Each(testContext(), func(it *schemas.Interaction) error {
		if !improving[it.AgentID] || it.Model != "voice" && it.Model != "chat" {
			return nil
		}
		switch day := it.EndedAt.Sub(from).Hours() / 24; {
		case day < 12:
			early = append(early, *it.PredictedSatisfaction)
		case day >= 48:
			late = append(late, *it.PredictedSatisfaction)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	t.Logf("improving agents' psat: first 12 days %.3f, last 12 days %.3f", mean(early), mean(late))
	if mean(late) < mean(early)+0.03 {
		t.Errorf("improving agents' psat %.3f early, %.3f late: want a clear rise", mean(early), mean(late))
	}
}
