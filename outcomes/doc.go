// Package outcomes learns satisfaction and resolution from the stream
// (DESIGN.md §1 "Outcomes"): it derives labels from repeat contacts and
// surveys, predicts both per interaction with one online logistic model per
// tenant × model × target, validates the models progressively against a
// smoothed per-inquiry base rate, and blends predictions with an agent's own
// labels. It is pure: no I/O, no clock, no goroutines.
//
// # Labels (labels.go)
//
// Resolution: an interaction x with a customer_key is unresolved when the
// same customer (tenant-wide, any model) makes an inbound contact y (initiation
// inbound or absent) in another chain (different chain_id, or either absent)
// with y.started_at ≥ x.ended_at + 15 minutes (closer contacts are transfers)
// and x.ended_at < y.ended_at ≤ x.ended_at + N days (N: Config.RepeatDays,
// default 7); without one it is resolved. Either label is known (matures)
// only once the tenant's event-time watermark (the newest ended_at of its
// interactions, never the wall clock) reaches x.ended_at + N days, even
// when the repeat came earlier: censoring-aware, so that both classes
// mature after the same delay. Were an unresolved label known at the
// repeat, a feed's first N days (and the last N days of every cell) would
// hold unresolved labels only, and the model, the base rate and the
// blend's O/E would learn resolution far too low (pres 0.04 on a week-old
// feed). Satisfaction: a survey outcome is satisfied when its
// score ≥ scale_max − 1 (Config.SatisfiedMin overrides with an absolute
// score); it matures at max(observed_at, x.ended_at). No survey is no label.
// An ingested resolution outcome overrides the computed label. An outcome
// observed more than Config.OutcomeDays (30) after its interaction ended
// gives no label, so that no process keeps interactions longer.
//
// Where several labels exist for one interaction (two surveys; a computed
// resolution and an override), the learner trains once, on the label known
// first (earliest maturity; the override when it is not later than the
// computed one; ties by outcome_id), because a model cannot unlearn; the
// figures (the O of the blend) use the final one: the latest survey (by
// observed_at, then outcome_id), the latest override, else the computed
// label. Outcomes for unknown interactions give no label.
//
// # The learner (ftrl.go, features.go, learner.go)
//
// FTRL-Proximal logistic regression (McMahan et al., "Ad click prediction:
// a view from the trenches", KDD 2013): per-coordinate learning rates, L1
// and L2, over a fixed table of 2^Config.TableBits hashed coordinates. It is
// written here: a quick search found no maintained Go library for it (only
// single-file gists from a 2014 Kaggle contest and an unmaintained fork of
// an ML toolkit), and it is a hundred lines. Features are case mix only:
// inquiry, model (channel), hour of week, log2 buckets of handle, hold, ACW
// and queue wait, transfers, initiation, the customer's contacts in the last
// 1/7/30 days and days since their last contact, and two crosses with the
// inquiry. Never agent or team identity: Contact has no field for them.
//
// # Event time and epochs
//
// Time is the records' event time, in UTC days ("epochs"). For each tenant ×
// model the learner runs day by day: every interaction ended in day d is
// predicted with the state after day d−1 (so predictions inside a day do not
// depend on arrival order); then the labels maturing in day d train the
// model in (maturity, interaction_id) order; each label first scores the
// model's and the baseline's predictions made when its interaction was
// predicted (progressive validation). Before day d the served prediction is
// chosen from the last 28 days of validation: the model while its log-loss
// is lower than the baseline's over at least Config.MinServeLabels labels,
// otherwise the baseline (the inquiry's smoothed positive rate over the last
// 28 days). An interaction predicted before any label of the target matured
// has no prediction (basis none). Features use the customer's full history
// of earlier contacts (by ended_at, then interaction_id). Run computes all
// of this from a set of records, so its result does not depend on input
// order: the reference implementation calls it, and a processor reproduces
// it by sealing a day once no record of it can still arrive.
//
// # Streaming (stream.go)
//
// Stream is the same computation for a log read record by record with
// state bounded by the present: a tenant's day is sealed once its
// watermark passes the day's end plus a lateness, and sealing does what
// Run does for that day. For a log whose records arrive before their day
// is sealed, Stream's predictions, labels and learner bytes equal Run's;
// WriteTo (binary, versioned, written through a buffer: no copy of the
// state) checkpoints it, and a stream restored from a checkpoint
// continues byte for byte (TestStreamEqualsRun). A processor keeps one
// per partition set and stores the checkpoint with its consumed offsets.
//
// # Checkpoint encoding (wire.go, stream_codec.go)
//
// Encoder and Decoder are the binary encoding of checkpoints (varints,
// float64 bits, length-prefixed strings, times as Unix seconds and
// nanoseconds): an Encoder writes through a buffer to the io.Writer it is
// given (the package opens no file), a Decoder reads from memory with a
// sticky error wrapping ErrBadState and refuses counts the input cannot
// hold. processor/learn uses them for the rest of its checkpoint.
//
// # Determinism
//
// The same records give the same predictions and the same serialized state,
// byte for byte: feature hashing is FNV-1a 64 over fixed bytes; numeric
// paths iterate slices in a fixed order, never maps, and use no goroutines;
// every product that is added to is wrapped in an explicit float64()
// conversion so the compiler cannot fuse it into an FMA; State.MarshalBinary
// writes coordinates in index order and inquiries sorted. (math.Exp, Log and
// Sqrt give the same bits for the same inputs on one platform.)
//
// # Blend (blend.go)
//
// For an agent × inquiry cell with O positive labels, E the sum of the
// predictions over the same labelled interactions, and p̄ the mean
// prediction over the cell: clip((O + k)/(E + k) × p̄, 0, 1), k = 10.
//
// # Concurrency
//
// Nothing here is safe for concurrent mutation; a Learner belongs to one
// goroutine. Run is safe to call concurrently on distinct inputs.
package outcomes
