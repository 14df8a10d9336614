package reference

import (
	"bytes"
	"cmp"
	"encoding/json"
	"slices"

	"github.com/agentpulse/agentpulse/schemas"
)

// recordKey identifies an interaction: interaction_id is unique within a
// tenant.
type recordKey struct{ tenant, id string }

// dedupe keeps one record per (tenant_id, interaction_id): the highest
// revision. Among records of equal revision it keeps the one whose
// canonical JSON (encoding/json of the struct, map keys sorted) is
// lexicographically smallest, so the result never depends on input order.
// Equal revisions are redeliveries: identical content changes nothing, and
// different content under one revision is a producer bug. The result is
// sorted by (tenant_id, interaction_id), the order every group is summed
// in.
func dedupe(in []schemas.Interaction) []schemas.Interaction {
	pos := make(map[recordKey]int, len(in))
	out := make([]schemas.Interaction, 0, len(in))
	for i := range in {
		it := &in[i]
		k := recordKey{it.TenantID, it.InteractionID}
		j, seen := pos[k]
		if !seen {
			pos[k] = len(out)
			out = append(out, *it)
			continue
		}
		if replaces(it, &out[j]) {
			out[j] = *it
		}
	}
	slices.SortFunc(out, func(a, b schemas.Interaction) int {
		return cmp.Or(cmp.Compare(a.TenantID, b.TenantID), cmp.Compare(a.InteractionID, b.InteractionID))
	})
	for i := range out {
		out[i] = clone(out[i])
	}
	return out
}

// replaces reports whether candidate wins over the kept record of the same
// key.
func replaces(candidate, kept *schemas.Interaction) bool {
	if candidate.Revision != kept.Revision {
		return candidate.Revision > kept.Revision
	}
	return bytes.Compare(canonical(candidate), canonical(kept)) < 0
}

// canonical returns the record's canonical JSON. A record encoding/json
// refuses (a NaN handle time: invalid input) encodes as nil, which sorts
// first.
func canonical(it *schemas.Interaction) []byte {
	b, err := json.Marshal(it)
	if err != nil {
		return nil
	}
	return b
}

// clone returns a deep copy of it, so that the dataset shares no pointer or
// map with its caller.
func clone(it schemas.Interaction) schemas.Interaction { return it.Clone() }
