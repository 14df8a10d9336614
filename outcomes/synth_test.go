package outcomes

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// synth builds a small center: customers who call back when their problem
// was not resolved, with a resolution probability that depends on the
// inquiry and the handle time (case mix), and surveys answered by about a
// fifth of the contacts. It is deterministic for a seed.
func synth(seed uint64, days, perDay int) ([]Contact, []Outcome) {
	rng := rand.New(rand.NewPCG(seed, 7))
	inquiries := []string{"billing", "outage", "move", "cancel"}
	resolveP := []float64{0.85, 0.45, 0.7, 0.3}
	satP := []float64{0.8, 0.4, 0.6, 0.3}
	var cs []Contact
	var outs []Outcome
	n := 0
	customers := perDay * days / 3
	for d := range days {
		for range perDay {
			q := rng.IntN(len(inquiries))
			start := t0.Add(time.Duration(d)*24*time.Hour + time.Duration(rng.IntN(86400))*time.Second)
			handle := float64(60 + rng.IntN(900))
			hold := float64(rng.IntN(120))
			tr := int64(rng.IntN(3))
			c := Contact{
				Tenant: "t", ID: fmt.Sprintf("i%06d", n), Model: "voice", Inquiry: inquiries[q],
				Customer: fmt.Sprintf("cust%d", rng.IntN(customers)), Chain: fmt.Sprintf("ch%d", n),
				Initiation: InitiationInbound, Started: start, Ended: start.Add(time.Duration(handle) * time.Second),
				HandleS: handle, HoldS: &hold, Transfers: &tr,
			}
			cs = append(cs, c)
			p := resolveP[q]
			if handle < 200 {
				p -= 0.2
			}
			if rng.Float64() >= p { // unresolved: the customer calls back within a few days
				back := c.Ended.Add(time.Duration(1+rng.IntN(4*86400)) * time.Second)
				n++
				cs = append(cs, Contact{
					Tenant: "t", ID: fmt.Sprintf("i%06d", n), Model: "voice", Inquiry: inquiries[q],
					Customer: c.Customer, Chain: fmt.Sprintf("ch%d", n), Initiation: InitiationInbound,
					Started: back.Add(time.Hour), Ended: back.Add(time.Hour + 5*time.Minute), HandleS: 300,
				})
			}
			if rng.Float64() < 0.2 {
				score, sp := 2.0, satP[q]
				if handle < 300 {
					sp -= 0.3
				}
				if rng.Float64() < sp {
					score = 5
				}
				outs = append(outs, Outcome{Tenant: "t", ID: fmt.Sprintf("s%06d", n), Revision: 1, InteractionID: c.ID,
					Kind: KindSurvey, ObservedAt: c.Ended.Add(time.Hour), Score: score, ScaleMin: 1, ScaleMax: 5})
			}
			n++
		}
	}
	return cs, outs
}
