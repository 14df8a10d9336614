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
// so AES equals AHT exactly for a model without predictions (email). Float
// addition is not associative: the reference sums in (tenant_id,
// interaction_id) order, and a store summing in another order matches it
// within AlmostEqual (relative 1e-9). Ties (labels, top agent) are exact
// float64 equality of those computed figures.
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
