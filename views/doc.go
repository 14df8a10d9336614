// Package views holds the one definition of every figure of DESIGN.md §1:
// the formulae, rules and answer types that the reference implementation
// (package views/reference), every store-backed view, the processor's
// pushed updates and the server share. It does no I/O.
//
// # Figures are computed from sums
//
// A group of interactions (an agent on an inquiry, every agent on an
// inquiry, a team, a model) is reduced to Sums, which are additive: Sums
// of hour buckets Merge into the Sums of a range. Every group figure is a
// ratio of means computed from Sums by exactly one expression:
//
//	AHT  = HandleSum / Volume
//	PSAT = PsatSum / PsatN          (feed predictions, used as given)
//	     = Lsat.Blend(BlendK)       (else learned: package outcomes)
//	                                (absent when neither)
//	PRES = the same with PresN, PresSum, Lres
//	AES  = AHT / (f(PSAT) × f(PRES)),  f(x) = max(Floor, x), or 1 when absent
//
// so AES equals AHT exactly for a model without predictions (email). Ties
// (labels, top agent) are exact float64 equality of those computed figures.
//
// # Figures are exact: sums on a grid
//
// Float addition is not associative, so sums of the values as ingested
// would depend on the order they were added in (the reference by record,
// the processor by bucket with retractions, a store merging hours into
// days and months, ClickHouse's sum() over parts in any order), and the
// same figure could differ in its last digits from one read to the next.
// Every summed value is therefore put on a dyadic grid first, in one
// place, Sums.Add (and Sub, and outcomes.Cell.Add for learned
// predictions):
//
//	handle time   OnHandleGrid:     a multiple of 1/1024 s (HandleGrid)
//	predictions   OnPredictionGrid: a multiple of 2^-20 (PredictionGrid)
//
// A sum of such values is a whole number of grains, which float64 holds
// exactly below 2^53 grains, so every addition, merge and subtraction is
// exact and every order gives the same bits: below 2^43 s ≈ 8.8·10^12 s of
// handle time (25 months of a 50,000-agent center handling around the
// clock is 3.3·10^12 s) and 2^33 ≈ 8.6·10^9 predictions in one sum. A
// store's answers equal the reference's bit for bit (ExactDiff).
//
// The price: each interaction's handle time counts up to half a grain
// (0.49 ms) away from its value, and each prediction up to 2^-21
// (4.8·10^-7), so AHT moves by at most 0.49 ms and PSAT and PRES by at
// most 4.8·10^-7 from the mean of the values as ingested (an AHT of one
// interaction of 123.456 s reads 123.4560546875, a PSAT of 0.8 reads
// 0.8000001907348633). Whole-second handle times and predictions such as
// 0.5 or 0.25 are on the grid and do not move. An interaction's own
// values (the review list, InteractionValue) are shown and ranked as
// ingested.
//
// # Ranges
//
// RangeSpec is parsed from range=3m|1m|1w|24h or from/to; Resolve anchors a
// preset at the model's latest available data L (the newest ended_at of
// the tenant's model, after revision dedup): To = FloorHour(L) + 1h, From =
// To − the preset. Custom ranges are widened to whole hours. An
// interaction is in a range when From ≤ ended_at < To. Because every range
// is whole UTC hours, hourly buckets answer every range exactly.
//
// # Benchmarks, labels, impact, focus metric
//
// The population of an inquiry (or of a model, for model-level labels) over
// a range is every agent with at least Params.MinVolume interactions there
// (Population). Labels are quartiles by competition rank (Labels). The top
// agent is the population member with the lowest AES, ties by agent_id
// (TopAgent). An agent's team is the team_id of their most recent
// interaction in the tenant, any model, all time (CompareNewestFirst); the
// team figure is the group figure over the range's interactions (same model
// and inquiry) whose team_id is that team. Impact and the recommended
// metric are defined on Impact, RankImpacts and RecommendMetric.
//
// Which metrics a model "has" is decided over all of the tenant's
// interactions of the model, not one range (ModelMetrics): aes and aht
// always, psat and pres when any interaction carries that prediction.
// Judging figures need the minimum volume: label and impact are null for an
// agent below MinVolume on the inquiry; value, team and top are given
// whenever they exist.
//
// # Coaching plans
//
// ValidatePlan, PlanTarget, OnTrack, Transition, StartWindow, DueAt and
// Settle hold the plan rules; NowWindowSize (20) the size of Now. Now is
// the agent's NowWindowSize most recent interactions on the plan's model
// and inquiry (CompareNewestFirst, after revision dedup) that ended before
// the instant asked about. A plan is due at midnight UTC starting its
// target date (DueAt); Now as of then decides achieved or missed.
//
// # Concurrency
//
// Everything here is a pure function or a plain value: safe for
// concurrent use as long as callers do not mutate shared values.
package views
