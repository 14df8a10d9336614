package views

import "time"

// Standing is an agent's overall place on a model over a range (GET
// /v1/agents/{agent}/standing): their AES quartile label among the
// model-level population (every agent with at least MinVolume
// interactions on the model in the range), their rank (1 = best AES;
// ties share the better rank) and the share of the population with a
// strictly worse AES, in percent. Label, Rank and BetterThanPct are null
// when the agent is below MinVolume.
type Standing struct {
	Model         string    `json:"model"`
	From          time.Time `json:"from"`
	To            time.Time `json:"to"`
	Volume        int64     `json:"volume"`
	Label         *Label    `json:"label"`
	Rank          *int      `json:"rank"`
	BetterThanPct *float64  `json:"better_than_pct"`
	Population    int       `json:"population"`
}

// NewStanding returns agent's Standing among members (every agent's Sums
// on the model over rng).
func NewStanding(model string, rng Range, agent string, members []Member, p Params) Standing {
	p = p.WithDefaults()
	out := Standing{Model: model, From: rng.From, To: rng.To}
	vals := PopulationValues(members, MetricAES, p)
	out.Population = len(vals)
	labels := MemberLabels(members, MetricAES, p)
	for _, m := range members {
		if m.ID == agent {
			out.Volume = m.Sums.Volume
		}
	}
	l, ok := labels[agent]
	if !ok {
		return out
	}
	out.Label = &l
	var mine float64
	for _, v := range vals {
		if v.ID == agent {
			mine = v.Value
		}
	}
	all := values(vals)
	rank := Rank(mine, all, MetricAES) + 1
	worse := 0
	for _, v := range all {
		if MetricAES.Better(mine, v) {
			worse++
		}
	}
	pct := 100 * float64(worse) / float64(len(all))
	out.Rank, out.BetterThanPct = &rank, &pct
	return out
}
