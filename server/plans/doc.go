// Package plans serves coaching plans (DESIGN.md §1 "Coaching plans",
// API.md "Coaching plans"): creation with every validation rule, reads,
// action ticking, cancel, the tenant's assistance catalogue, Now kept live
// from the processor's updates, the daily history, and the achieved /
// missed settlement at the target date.
//
// # Figures
//
// Start is the agent's value of the metric on the plan's model and inquiry
// over views.StartWindow(created_at), read from the hourly buckets. Recent
// (recent_value, DESIGN.md's literal Now) is the value over the agent's
// views.NowWindowSize most recent interactions on the model and inquiry
// that ended before the evaluation instant (store.Reader.RecentBefore):
// the read's instant, or the plan's due time (views.DueAt) once it has
// passed, except for a cancelled plan. Now (now_value), the figure on
// track and the settlement use, is the value over those of them that
// ended at or after the commit (views.SinceCommit), null until there is
// one: a documented extension so that a plan does not read as failing on
// its first day. History has one point per UTC day, Now as of the end of
// the day (as of the read for today), through the day before the target
// date. These are exactly views/reference's PlanProgress and History.
//
// # Freshness
//
// Every read re-evaluates Now and settles a due plan before answering, so
// an answer is never stale whatever else runs. Days whose end has passed
// are "sealed": their history point is computed once, stored with the plan
// (store.PlanRecord.Sealed), and recomputed only when late or corrected
// data for that day arrives (OnUpdate). OnUpdate keeps the stored plan
// and its websocket channel "plan:{id}" live; Run settles due plans and
// seals finished days in the background.
//
// # Access
//
// Roles agent (their own plans), supervisor (plans of agents whose current
// team, storeview.Views.TeamOf, they lead) and admin (the tenant) may
// create, read, tick actions and cancel; role ingest gets 403. A plan id
// the token may not see answers 404 exactly like an unknown id, so a 403
// never tells that a plan exists. Only an admin may replace the
// assistance catalogue.
//
// # Concurrency
//
// A Service is safe for concurrent use. Changes to one plan are serialised
// by a per-plan lock within the process; across server processes the
// stored state with the highest version wins (every change is a full
// state re-evaluated from the store, so they converge). OnUpdate never
// blocks on the store: it queues work on a bounded queue that Run's
// workers drain (a full queue drops the work and counts it; the next
// update, read or sweep catches up).
package plans
