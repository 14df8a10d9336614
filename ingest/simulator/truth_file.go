package simulator

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/agentpulse/agentpulse/schemas"
)

// Truth is the ground truth of a run: for every agent and inquiry, the
// true satisfaction and resolution (the mean of the latent per-contact
// probabilities of the agent's contacts on the inquiry) and the true AES
// computed from them as DESIGN.md computes AES (mean handle time ÷ (psat ×
// pres), each floored at 0.05). Only original records count (no
// duplicates or corrections). Tests and benchmarks compare the product's
// figures with it. Not safe for concurrent use while a run fills it.
type Truth struct {
	g     *Generator
	cells map[truthKey]*truthSum
}

type truthKey struct {
	tenant, agent  int32
	model, inquiry int8
}

type truthSum struct {
	n, surveys         int64
	handle, satT, resT float64
}

func newTruth(g *Generator) *Truth { return &Truth{g: g, cells: map[truthKey]*truthSum{}} }

// add counts the original records of one window.
func (t *Truth) add(rs []rec) {
	for i := range rs {
		x := &rs[i]
		k := truthKey{x.tenant, x.agent, x.model, x.inquiry}
		c := t.cells[k]
		if c == nil {
			c = &truthSum{}
			t.cells[k] = c
		}
		c.n++
		c.handle += float64(x.handle)
		c.satT += float64(x.satT) / 1000
		c.resT += float64(x.resT) / 1000
		if x.surveyDelay > 0 {
			c.surveys++
		}
	}
}

// TruthRow is one agent × inquiry of a Truth.
type TruthRow struct {
	TenantID string  `json:"tenant_id"`
	Model    string  `json:"model"`
	AgentID  string  `json:"agent_id"`
	TeamID   string  `json:"team_id"`
	Inquiry  string  `json:"inquiry"`
	Volume   int64   `json:"volume"`
	Surveys  int64   `json:"surveys"`
	AHT      float64 `json:"aht"`
	Psat     float64 `json:"psat"`
	Pres     float64 `json:"pres"`
	AES      float64 `json:"aes"`
}

// aesFloor is DESIGN.md's default floor of each outcome mean in AES.
const aesFloor = 0.05

// Rows returns every agent × inquiry, ordered by tenant, model, agent and
// inquiry (as named).
func (t *Truth) Rows() []TruthRow {
	out := make([]TruthRow, 0, len(t.cells))
	for k, c := range t.cells {
		ten := &t.g.tenants[k.tenant]
		a := &ten.Agents[k.agent]
		m := &catalogue[k.model]
		n := float64(c.n)
		row := TruthRow{TenantID: ten.ID, Model: m.name, AgentID: a.AgentID, TeamID: a.TeamID,
			Inquiry: m.inquiries[k.inquiry].name, Volume: c.n, Surveys: c.surveys,
			AHT: c.handle / n, Psat: c.satT / n, Pres: c.resT / n}
		row.AES = row.AHT / (math.Max(aesFloor, row.Psat) * math.Max(aesFloor, row.Pres))
		out = append(out, row)
	}
	slices.SortFunc(out, func(a, b TruthRow) int {
		return cmp.Or(cmp.Compare(a.TenantID, b.TenantID), cmp.Compare(a.Model, b.Model),
			cmp.Compare(a.AgentID, b.AgentID), cmp.Compare(a.Inquiry, b.Inquiry))
	})
	return out
}

// WriteNDJSON writes Rows as NDJSON, one object per line; the same run
// gives the same bytes.
func (t *Truth) WriteNDJSON(w io.Writer) error {
	bw := bufio.NewWriter(w)
	var buf []byte
	for _, r := range t.Rows() {
		buf = append(buf[:0], `{"tenant_id":`...)
		buf = schemas.AppendJSONString(buf, r.TenantID)
		buf = append(buf, `,"model":`...)
		buf = schemas.AppendJSONString(buf, r.Model)
		buf = append(buf, `,"agent_id":`...)
		buf = schemas.AppendJSONString(buf, r.AgentID)
		buf = append(buf, `,"team_id":`...)
		buf = schemas.AppendJSONString(buf, r.TeamID)
		buf = append(buf, `,"inquiry":`...)
		buf = schemas.AppendJSONString(buf, r.Inquiry)
		buf = fmt.Appendf(buf, `,"volume":%d,"surveys":%d,"aht":`, r.Volume, r.Surveys)
		buf = schemas.AppendJSONFloat(buf, r.AHT)
		buf = append(buf, `,"psat":`...)
		buf = schemas.AppendJSONFloat(buf, r.Psat)
		buf = append(buf, `,"pres":`...)
		buf = schemas.AppendJSONFloat(buf, r.Pres)
		buf = append(buf, `,"aes":`...)
		buf = schemas.AppendJSONFloat(buf, r.AES)
		buf = append(buf, "}\n"...)
		if _, err := bw.Write(buf); err != nil {
			return fmt.Errorf("write ground truth: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write ground truth: %w", err)
	}
	return nil
}
