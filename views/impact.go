package views

import (
	"cmp"
	"slices"
)

// MaxRankedInquiries is how many inquiries each of the top-performing and
// work-on lists holds at most.
const MaxRankedInquiries = 3

// Impact returns how much one inquiry moves an agent's score against the
// benchmark (DESIGN.md §1):
//
//	impact_i = (n_i / n) × (AES_agent,i − AES_all,i)
//
// evaluated exactly as float64(n_i)/float64(n) * (aesAgent - aesAll), with
// agentInquiry the agent's Sums on inquiry i, agentModelVolume n the
// agent's volume over the whole model (same range) and allInquiry every
// agent's Sums on inquiry i. ok is false when either group is empty or n
// is not positive. Negative impact pulls the agent's score down (good).
func Impact(agentInquiry Sums, agentModelVolume int64, allInquiry Sums, floor float64) (float64, bool) {
	a, okA := agentInquiry.AES(floor)
	all, okAll := allInquiry.AES(floor)
	if !okA || !okAll || agentModelVolume <= 0 {
		return 0, false
	}
	return float64(agentInquiry.Volume) / float64(agentModelVolume) * (a - all), true
}

// InquiryImpact is one inquiry's agent volume and impact, the input of
// RankImpacts.
type InquiryImpact struct {
	Inquiry string
	Volume  int64
	Impact  float64
}

// RankImpacts returns the top-performing and to-work-on inquiries, by name.
// Only inquiries where the agent has at least p.MinVolume interactions are
// ranked. top holds those with impact < 0, most negative first; workOn
// those with impact > 0, most positive first; each at most
// MaxRankedInquiries long; equal impacts are ordered by inquiry name
// ascending. An impact of exactly 0 is in neither list.
func RankImpacts(items []InquiryImpact, p Params) (top, workOn []string) {
	p = p.WithDefaults()
	var neg, pos []InquiryImpact
	for _, it := range items {
		if it.Volume < p.MinVolume {
			continue
		}
		switch {
		case it.Impact < 0:
			neg = append(neg, it)
		case it.Impact > 0:
			pos = append(pos, it)
		}
	}
	slices.SortFunc(neg, func(a, b InquiryImpact) int {
		return cmp.Or(cmp.Compare(a.Impact, b.Impact), cmp.Compare(a.Inquiry, b.Inquiry))
	})
	slices.SortFunc(pos, func(a, b InquiryImpact) int {
		return cmp.Or(cmp.Compare(b.Impact, a.Impact), cmp.Compare(a.Inquiry, b.Inquiry))
	})
	return names(neg), names(pos)
}

func names(items []InquiryImpact) []string {
	out := make([]string, 0, MaxRankedInquiries)
	for i := 0; i < len(items) && i < MaxRankedInquiries; i++ {
		out = append(out, items[i].Inquiry)
	}
	return out
}
