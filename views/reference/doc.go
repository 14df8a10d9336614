// Package reference is the pure reference implementation of every figure
// of DESIGN.md §1, computed directly from raw interactions. Every store,
// API answer and pushed update is tested against it; it favours being
// obviously right over being fast.
//
// # Input
//
// New takes interactions in any order and keeps, per (tenant_id,
// interaction_id), the highest revision. An equal revision is a
// redelivery and changes nothing. Equal revisions with different content
// are a producer bug; so that the answer still never depends on input order,
// the record whose canonical JSON (encoding/json) is lexicographically
// smallest is kept. (A store that keeps the first one seen agrees whenever
// redeliveries are identical, which is the contract.)
//
// # Determinism
//
// Every group is summed in (tenant_id, interaction_id) order, so answers are
// bit-identical for any input order, and a dataset that received an old
// revision and then a newer one answers exactly like one that only ever
// had the newer. A store sums in its own order and, the sums being on the
// grid (package views, "Figures are exact"), matches bit for bit; compare
// whole answers with views.ExactDiff.
//
// # Queries
//
// The methods mirror API.md and return the answer types of package views:
// LatestData, Models, AgentPerformance, InquiryDetail, WorstInteractions,
// TeamAgents, and for coaching plans StartValue, PlanProgress, History and
// NewPlan. Ranges resolve against the model's latest data (views.RangeSpec).
// Decisions where the design is silent:
//
//   - Which metrics a model has is decided over all of the tenant's records
//     of the model (views.ModelMetrics); psat/pres are null for a model
//     without them.
//   - label and impact are null below MinVolume; value, team and top are
//     given whenever they exist.
//   - An agent's team is the team_id of their newest interaction in the
//     tenant (any model, all time); team figures use the interactions of
//     the range whose team_id is that team.
//   - Recent and worst interactions are taken from the requested range.
//   - Models reports the agent's volume over the default range (3m).
//   - TeamAgents lists the team's agents that have interactions in the
//     model over the range.
//   - Plans: Start and Now are recomputed from the dataset (a correction in
//     the start window moves Start here, while a store may freeze it at
//     creation); a plan is due at midnight UTC starting its target date.
//
// # Learned outcomes
//
// NewWithOutcomes (not New, which matches stores that learn nothing yet) runs package
// outcomes over the deduplicated records: labels from repeat contacts of a
// customer_key and from surveys, the learner per tenant × model day by day
// in event time, and per record the served prediction made when it
// arrived. Where a record carries no feed prediction for a target, its
// prediction and (matured, final) label enter the Sums as outcomes.Cell,
// and psat/pres of every group are the blend (views.Sums.Means), with
// basis and label count. Records without customer keys or outcomes add
// nothing: figures are exactly those of a dataset without learning.
//
// # Concurrency
//
// A Dataset is immutable after New; its methods are safe for concurrent use
// and return values that share nothing with it.
package reference
