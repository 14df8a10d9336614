package simulator

import "math"

// model is one channel's classification model and how its work looks.
type model struct {
	// name is the canonical model name ("voice", "chat", "email").
	name string
	// predicts is whether the model carries predicted satisfaction and
	// resolution (email does not).
	predicts bool
	// concurrency is how many contacts an agent handles at once on average:
	// the agent's timeline advances by handle time / concurrency.
	concurrency float64
	// minHandle is the shortest believable handle time, seconds.
	minHandle float64
	// acwLo and acwHi bound the share of handle time that is after-contact
	// work, i.e. not inside started_at..ended_at.
	acwLo, acwHi float64
	// meanWork is the agent time, seconds, an average contact of the model
	// takes: mean handle time ÷ concurrency (computed from inquiries).
	meanWork float64
	// share is the weight of the model when teams are given a channel.
	share float64
	// inquiries is the inquiry catalogue of the model.
	inquiries []inquiry
}

// inquiry is one inquiry type (intent) in a model's catalogue.
type inquiry struct {
	name string
	// weight is the relative arrival volume of the inquiry.
	weight float64
	// handle is the median handle time, seconds, of an average agent.
	handle float64
	// difficulty in [0, 1]: harder inquiries spread more, resolve less
	// often, and suffer more when rushed.
	difficulty float64
	// psat and pres are the logits of predicted satisfaction and resolution
	// of an average agent at the median handle time.
	psat, pres float64
}

// catalogue lists the simulated models. Indexes into it are stable: they
// are part of the derivation of ids and random streams.
var catalogue = []model{
	{
		name: "voice", predicts: true, concurrency: 1, minHandle: 20,
		acwLo: 0.08, acwHi: 0.25, share: 0.55,
		inquiries: []inquiry{
			{"billing", 0.22, 330, 0.35, 1.45, 1.60},
			{"technical_support", 0.17, 560, 0.80, 0.95, 0.70},
			{"cancellation", 0.08, 430, 0.70, 0.20, 0.90},
			{"new_order", 0.11, 300, 0.25, 1.90, 2.00},
			{"address_change", 0.07, 170, 0.10, 2.30, 2.60},
			{"complaint", 0.07, 620, 0.90, -0.15, 0.35},
			{"payment_arrangement", 0.09, 400, 0.50, 0.90, 1.30},
			{"account_access", 0.12, 240, 0.30, 1.70, 1.90},
			{"order_status", 0.07, 200, 0.15, 1.80, 2.30},
		},
	},
	{
		name: "chat", predicts: true, concurrency: 1.7, minHandle: 30,
		acwLo: 0.03, acwHi: 0.12, share: 0.30,
		inquiries: []inquiry{
			{"billing", 0.20, 560, 0.35, 1.35, 1.50},
			{"technical_support", 0.18, 760, 0.80, 0.85, 0.60},
			{"order_status", 0.17, 380, 0.15, 1.75, 2.20},
			{"new_order", 0.10, 540, 0.25, 1.80, 1.90},
			{"account_access", 0.12, 460, 0.30, 1.50, 1.70},
			{"refund", 0.12, 640, 0.60, 0.70, 1.10},
			{"product_question", 0.11, 500, 0.40, 1.60, 1.60},
		},
	},
	{
		name: "email", predicts: false, concurrency: 1, minHandle: 15,
		acwLo: 0.05, acwHi: 0.30, share: 0.15,
		inquiries: []inquiry{
			{"billing", 0.25, 260, 0.35, 0, 0},
			{"refund", 0.17, 320, 0.60, 0, 0},
			{"complaint", 0.13, 420, 0.90, 0, 0},
			{"document_request", 0.15, 150, 0.10, 0, 0},
			{"address_change", 0.12, 130, 0.10, 0, 0},
			{"order_status", 0.18, 170, 0.15, 0, 0},
		},
	},
}

func init() {
	for i := range catalogue {
		m := &catalogue[i]
		total, sum := 0.0, 0.0
		for _, q := range m.inquiries {
			sigma := 0.35 + 0.25*q.difficulty // as in outcome
			total += q.weight
			sum += q.weight * q.handle * math.Exp(sigma*sigma/2)
		}
		m.meanWork = sum / total / m.concurrency
	}
}

// inquiryWeights holds each model's inquiry weights for rng.pick.
var inquiryWeights = func() [][]float64 {
	out := make([][]float64, len(catalogue))
	for m, md := range catalogue {
		for _, inq := range md.inquiries {
			out[m] = append(out[m], inq.weight)
		}
	}
	return out
}()

// modelShares holds the models' team shares for rng.pick.
var modelShares = func() []float64 {
	out := make([]float64, len(catalogue))
	for m, md := range catalogue {
		out[m] = md.share
	}
	return out
}()

// Models returns the names of the simulated models in catalogue order.
func Models() []string {
	out := make([]string, len(catalogue))
	for i, m := range catalogue {
		out[i] = m.name
	}
	return out
}

// Inquiries returns the inquiry catalogue of the named model, or nil for a
// model the simulator does not produce.
func Inquiries(modelName string) []string {
	for _, m := range catalogue {
		if m.name == modelName {
			out := make([]string, len(m.inquiries))
			for i, inq := range m.inquiries {
				out[i] = inq.name
			}
			return out
		}
	}
	return nil
}
