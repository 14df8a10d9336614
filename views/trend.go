package views

import (
	"fmt"
	"slices"
	"time"
)

// TrendStep is the length of one point of a trend series.
type TrendStep string

// The steps of GET /v1/agents/{agent}/trend. A day is a UTC calendar day;
// a week starts on Monday 00:00 UTC (ISO weeks).
const (
	TrendDay  TrendStep = "day"
	TrendWeek TrendStep = "week"
)

// ParseTrendStep parses the step parameter; empty means TrendWeek. An
// error is a *FieldError naming "step".
func ParseTrendStep(s string) (TrendStep, error) {
	switch TrendStep(s) {
	case "":
		return TrendWeek, nil
	case TrendDay, TrendWeek:
		return TrendStep(s), nil
	}
	return "", fieldErr("step", fmt.Sprintf("must be day or week; got %q", clip(s)))
}

// stepStart returns the start of the step containing t.
func stepStart(t time.Time, s TrendStep) time.Time {
	d := UTCDate(t)
	if s == TrendWeek {
		back := (int(d.Weekday()) + 6) % 7 // days since Monday
		d = d.AddDate(0, 0, -back)
	}
	return d
}

// TrendPeriods cuts rng into the steps of s: each period is one day or
// week intersected with rng, in time order, so the first and last may be
// partial (Partial). An empty range gives none.
func TrendPeriods(rng Range, s TrendStep) []Period {
	var out []Period
	for start := stepStart(rng.From, s); start.Before(rng.To); {
		next := start.AddDate(0, 0, 1)
		if s == TrendWeek {
			next = start.AddDate(0, 0, 7)
		}
		p := Period{Start: start, Range: Range{From: maxTime(start, rng.From), To: minTime(next, rng.To)}}
		p.Partial = !p.Range.From.Equal(start) || !p.Range.To.Equal(next)
		out = append(out, p)
		start = next
	}
	return out
}

// Period is one point's time span: the day or week starting at Start,
// cut to the trend's range.
type Period struct {
	Start   time.Time
	Range   Range
	Partial bool
}

// PeriodIndex returns the index in periods (as TrendPeriods returns them)
// of the period containing t, or -1.
func PeriodIndex(periods []Period, t time.Time) int {
	i, _ := slices.BinarySearchFunc(periods, t, func(p Period, t time.Time) int {
		switch {
		case !t.Before(p.Range.To):
			return -1
		case t.Before(p.Range.From):
			return 1
		}
		return 0
	})
	if i < len(periods) && periods[i].Range.Contains(t) {
		return i
	}
	return -1
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Band is the quartile band of a metric over a population: the first
// quartile, the median and the third quartile of the members' values
// (Quantile, in ascending value order whatever the metric's direction),
// and how many members have a value.
type Band struct {
	Q1     float64 `json:"q1"`
	Median float64 `json:"median"`
	Q3     float64 `json:"q3"`
	N      int     `json:"n"`
}

// Bands is a Band per metric; a metric no member has a value for is null.
type Bands struct {
	AES  *Band `json:"aes"`
	AHT  *Band `json:"aht"`
	PSAT *Band `json:"psat"`
	PRES *Band `json:"pres"`
}

// Quantile returns the p-quantile (0 ≤ p ≤ 1) of ascending sorted values
// by linear interpolation between closest ranks: h = (n−1)·p, x[⌊h⌋] +
// (h−⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]) (Hyndman & Fan type 7; the median of an even
// count is the mean of the two middle values, as Median). ok is false for
// no values.
func Quantile(sorted []float64, p float64) (float64, bool) {
	n := len(sorted)
	if n == 0 {
		return 0, false
	}
	h := float64(n-1) * p
	lo := int(h)
	if lo >= n-1 {
		return sorted[n-1], true
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo]), true
}

// PopulationBands returns the quartile band of every metric over the
// population of members (Volume ≥ p.MinVolume, PopulationValues).
func PopulationBands(members []Member, p Params) Bands {
	band := func(m Metric) *Band {
		vals := values(PopulationValues(members, m, p))
		if len(vals) == 0 {
			return nil
		}
		slices.Sort(vals)
		q1, _ := Quantile(vals, 0.25)
		med, _ := Quantile(vals, 0.5)
		q3, _ := Quantile(vals, 0.75)
		return &Band{Q1: q1, Median: med, Q3: q3, N: len(vals)}
	}
	return Bands{AES: band(MetricAES), AHT: band(MetricAHT), PSAT: band(MetricPSAT), PRES: band(MetricPRES)}
}

// TrendPoint is one period of a trend: the agent's figures, their current
// team's (every interaction of the period whose team_id is that team, as
// the team average), and the population's quartile bands.
type TrendPoint struct {
	From       time.Time `json:"from"`
	To         time.Time `json:"to"`
	Partial    bool      `json:"partial"`
	Agent      Figures   `json:"agent"`
	Team       Figures   `json:"team"`
	Population Bands     `json:"population"`
}

// Trend is GET /v1/agents/{agent}/trend: the agent's series on one model
// (and one inquiry, or all when Inquiry is empty) over a range, one point
// per period of Step, oldest first.
type Trend struct {
	AgentID string       `json:"agent_id"`
	TeamID  string       `json:"team_id"`
	Model   string       `json:"model"`
	Inquiry string       `json:"inquiry"`
	Step    TrendStep    `json:"step"`
	From    time.Time    `json:"from"`
	To      time.Time    `json:"to"`
	Points  []TrendPoint `json:"points"`
}

// NewTrendPoint returns the point of period per from the agent's Sums,
// the team's and every agent's (members).
func NewTrendPoint(per Period, agent, team Sums, members []Member, p Params) TrendPoint {
	p = p.WithDefaults()
	return TrendPoint{From: per.Range.From, To: per.Range.To, Partial: per.Partial,
		Agent: agent.Figures(p.Floor), Team: team.Figures(p.Floor), Population: PopulationBands(members, p)}
}

// TeamTrend is GET /v1/teams/{team}/trend: one series per agent whose
// current team is the team and who has an interaction in the model over
// the range (the agents of GET /v1/teams/{team}/agents), sorted by
// agent_id; Agents[i].Points[j] is the agent's figures over Periods[j].
type TeamTrend struct {
	TeamID  string        `json:"team_id"`
	Model   string        `json:"model"`
	Step    TrendStep     `json:"step"`
	From    time.Time     `json:"from"`
	To      time.Time     `json:"to"`
	Periods []TrendPeriod `json:"periods"`
	Agents  []AgentSeries `json:"agents"`
}

// TrendPeriod is one period of a TeamTrend.
type TrendPeriod struct {
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	Partial bool      `json:"partial"`
}

// AgentSeries is one agent's figures per period.
type AgentSeries struct {
	AgentID string    `json:"agent_id"`
	Points  []Figures `json:"points"`
}

// NewTeamTrend returns the TeamTrend of periods from every agent's Sums
// per period (sums[agent][j]); agents lists the team's agents, sorted.
func NewTeamTrend(team, model string, step TrendStep, rng Range, periods []Period, agents []string, sums map[string][]Sums, p Params) TeamTrend {
	p = p.WithDefaults()
	out := TeamTrend{TeamID: team, Model: model, Step: step, From: rng.From, To: rng.To, Periods: make([]TrendPeriod, len(periods)), Agents: []AgentSeries{}}
	for j, per := range periods {
		out.Periods[j] = TrendPeriod{From: per.Range.From, To: per.Range.To, Partial: per.Partial}
	}
	for _, a := range agents {
		s := AgentSeries{AgentID: a, Points: make([]Figures, len(periods))}
		for j := range periods {
			var cell Sums
			if row := sums[a]; row != nil {
				cell = row[j]
			}
			s.Points[j] = cell.Figures(p.Floor)
		}
		out.Agents = append(out.Agents, s)
	}
	return out
}
