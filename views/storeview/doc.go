// Package storeview computes the figures of DESIGN.md §1 from a store's
// hourly buckets (processor/store.Reader) instead of raw interactions. Its
// answers equal those of views/reference over the same interactions,
// within views.AlmostEqual: every formula is the views package's, applied
// to Sums merged from buckets.
//
// # How each input is obtained
//
//   - Ranges resolve against store.LatestData of the model. Every resolved
//     range is whole UTC hours, so the buckets whose hour lies in
//     [From, To) hold exactly the interactions of the range. The parts of
//     one BucketKey (one per log partition) are merged with Sums.Merge.
//   - Which metrics a model has is decided over all of the model's data,
//     like the reference: the buckets of the range decide when they already
//     carry both predictions; otherwise one all-time read of the model's
//     buckets (stopped as soon as both predictions are seen) decides.
//   - An agent's current team (the team_id of their newest interaction in
//     the tenant, any model, all time) is read from the agent's all-time
//     buckets in every model: the newest bucket hour holds the newest
//     interaction. When that hour holds buckets of more than one team, the
//     newest interaction is found with store.Recent (limit 1) for each
//     (model, inquiry) of that hour and compared with
//     views.CompareNewestFirst, the reference's order.
//   - The tenant's models are not listed by store.Reader: they are the
//     Reader's own list when it implements ModelLister, else the list given
//     with WithModels, else DefaultModels.
//
// Nothing is cached: every call reads the store.
//
// # Concurrency
//
// A *Views holds no mutable state; its methods are safe for concurrent use
// when the Reader is (both stores are).
//
// WorstInteractions and NewestInteractions (the coaching review list) read
// the agent's interactions on the inquiry with store.Reader.Recent, asking
// for as many as the buckets count from the range's start on, then filter
// to the range and sort with the reference's comparator.
package storeview
