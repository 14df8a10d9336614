package ws

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
)

// ScoreData is the data of a score message (schemas/ws.schema.json,
// ScoreData): what one processor update changed for one agent in one
// model. It is built from the update alone, without reading the store, so
// it costs the same at any population size.
type ScoreData struct {
	Model string `json:"model"`
	Agent string `json:"agent"`
	// Teams are the teams of the changed buckets, sorted.
	Teams []string `json:"teams"`
	// Inquiries are the changed inquiries, sorted.
	Inquiries []string `json:"inquiries"`
	// Interactions are the interactions applied (new ones and higher
	// revisions) in the order the processor applied them.
	Interactions []schemas.UpdateInteraction `json:"interactions"`
	// Buckets are the new full values of the agent's changed hour
	// buckets, with their figures: a client overlays them (the higher
	// version wins) on the buckets it holds.
	Buckets []ScoreBucket `json:"buckets"`
	// Figures are the agent's new overall figures in the model over the
	// default range, when the ScoreDataFunc can get them cheaply (a
	// figures cache); omitted otherwise.
	Figures *views.Figures `json:"figures,omitempty"`
	// FiguresRange is the range Figures are over (present with Figures).
	FiguresRange *views.Range `json:"figures_range,omitempty"`
}

// ScoreBucket is one changed hour bucket of the agent.
type ScoreBucket struct {
	Team    string        `json:"team"`
	Inquiry string        `json:"inquiry"`
	Hour    time.Time     `json:"hour"`
	Version int64         `json:"version"`
	Sums    views.Sums    `json:"sums"`
	Figures views.Figures `json:"figures"`
}

// DefaultScoreData builds ScoreData from u alone (Figures nil).
func DefaultScoreData(u schemas.Update) ScoreData {
	d := ScoreData{Model: u.Model, Agent: u.Agent, Teams: []string{}, Inquiries: []string{},
		Interactions: u.Interactions, Buckets: make([]ScoreBucket, len(u.Buckets))}
	if d.Interactions == nil {
		d.Interactions = []schemas.UpdateInteraction{}
	}
	floor := views.DefaultParams().Floor
	for i, b := range u.Buckets {
		sums := views.Sums(b.Sums)
		d.Buckets[i] = ScoreBucket{Team: b.Team, Inquiry: b.Inquiry, Hour: b.Hour, Version: b.Version, Sums: sums,
			Figures: sums.Figures(floor)}
		d.Teams = appendUnique(d.Teams, b.Team)
		d.Inquiries = appendUnique(d.Inquiries, b.Inquiry)
	}
	for _, it := range u.Interactions {
		d.Inquiries = appendUnique(d.Inquiries, it.Inquiry)
	}
	slices.Sort(d.Teams)
	slices.Sort(d.Inquiries)
	return d
}

func appendUnique(s []string, v string) []string {
	if v == "" || slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// OnUpdate turns one processor update into score messages: on
// agent:{agent}, on team:{team} for each team of the update's buckets,
// and on wallboard:{model}, where a supervisor receives it only when it
// concerns one of their teams. The data (Config.ScoreData) is encoded
// once for every channel. It has the signature of a feed handler and is
// safe for concurrent use, but updates of one agent must come in order.
func (h *Hub) OnUpdate(ctx context.Context, u schemas.Update) {
	data, err := h.cfg.ScoreData(ctx, u)
	if err != nil {
		h.log.Warn("score data", "model", u.Model, "err", err)
		return
	}
	raw, err := json.Marshal(data)
	if err != nil {
		h.log.Error("encode score data", "err", err)
		return
	}
	var teams []string
	for _, b := range u.Buckets {
		teams = appendUnique(teams, b.Team)
	}
	slices.Sort(teams)
	h.publish(u.Tenant, KindAgent+":"+u.Agent, TypeScore, raw, nil)
	for _, t := range teams {
		h.publish(u.Tenant, KindTeam+":"+t, TypeScore, raw, nil)
	}
	if teams == nil {
		teams = []string{}
	}
	h.publish(u.Tenant, KindWallboard+":"+u.Model, TypeScore, raw, teams)
}
