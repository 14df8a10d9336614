// Package simulator is agentpulse's simulated contact center: a believable,
// deterministic source of canonical interactions (schemas.Interaction) for
// `agentpulse simulate`, `make run`, demos, tests and benchmarks.
//
// # The world
//
// Config.Tenants tenants ("acme", "globex", …, then "tenant-N"), each on a
// fixed UTC offset, have Config.Agents agents each. A tenant's agents form teams
// of at most Config.TeamSize; a team works one primary model (voice 55 %,
// chat 30 %, email 15 % of teams) and about a third of agents also take a
// second model. Each model has its own inquiry catalogue with its own
// median handle time, difficulty and outcome levels; voice and chat records
// carry predicted satisfaction and resolution, email records carry neither.
//
// Agents work 8.5-hour shifts (three breaks) on a weekly pattern, mostly
// Monday to Friday, starting mostly between 7 and 10 local time, with a few
// on evenings and nights and a 6 % daily absence. Within a shift an agent
// handles contacts back to back (chat with a concurrency of 1.7), waiting
// between them according to an occupancy derived from the diurnal and
// weekly arrival curves divided by staffing: quiet nights, peaks late in the
// morning and early in the afternoon, a lunch dip, light weekends. That
// gives about 55 interactions per agent per working day; 1,000 agents over
// 90 days are about 3.2 million records.
//
// Every agent has a base skill (standard normal) plus a per-inquiry offset;
// a quarter of agents improve along an S-curve over the period and a few
// slip (Agent.Trend). Skill shortens the log-normal handle time; skill
// plus a per-inquiry outcome offset of its own (outcomeSpread: an agent's
// customers fare better or worse than its speed suggests) raises both
// predictions; very long contacts lower satisfaction and contacts
// rushed far below the inquiry's median lower resolution, the more the
// harder the inquiry. Handle time includes after-contact work, so
// started_at..ended_at is a little shorter than handle_time_s.
//
// # Customers, outcomes and the ground truth
//
// Every contact also has a ground truth (truth.go): latent probabilities
// that the customer is satisfied and that the issue is resolved, rising
// with the agent's outcome skill on the inquiry (the latent per-agent ×
// inquiry propensity: skill plus the outcome offset) and falling with queue wait, transfers and very long or
// rushed contacts. An unresolved customer usually comes back within days
// on the same inquiry and is taken by whichever agent next handles that
// inquiry (a repeat contact in another chain); a few resolved ones come
// back for another issue. About one customer in ten answers a 1..5 survey,
// dissatisfied ones half as often (Batch.Outcomes). Records carry
// customer_key, chain_id, initiation, queue_wait_s, transfers and, on
// voice, hold_s; Config.NoPredictions leaves the predictions out, as real
// feeds do. RunTruth and WriteWithTruth return the true psat, pres and AES
// per agent and inquiry (Truth), to compare the product's learned figures
// with. The truth is drawn from its own stream per contact, so it changed
// none of the fields the stream had before. The live generator (Live) draws
// the same truth for its interactions, with customers of its own and the
// survey answers released when answered (LiveConfig.Outcomes).
//
// # The stream
//
// Generator.Run emits the records of the period [End − Days, End) in
// batches of about one day, in ended_at order like a live feed, except for
// fault records: a duplicate (the identical record again, minutes to hours
// later), a revision (revision 2, reclassified or with extra wrap-up time,
// minutes to two days later) and a late delivery (hours to three days
// later, ended_at unchanged), each at its Config rate. Held-back records
// still pending at the end are flushed in order. interaction_id is
// "sim-<model>-<n>", unique within a tenant; source is "simulator" and
// source_refs.sim_id is "<seed>/<agent>/<local date>/<n>", naming the shift
// the record came from.
//
// # Determinism and concurrency
//
// The output is a function of Config alone (End included; the command
// defaults End to the current hour, so pass --end for reproducible files):
// every shift draws from a random stream derived from (seed, tenant,
// agent, local date), fault decisions from (seed, tenant, model, number),
// and records are put in a total order before numbering. The same Config
// gives byte-identical output for any number of workers and any
// GOMAXPROCS, on the same platform; the simulator uses its own generator,
// not math/rand, so Go releases do not change it.
//
// A Generator is immutable after New and safe for concurrent use; each Run
// is independent and starts the stream from the beginning. Run calls its
// callback from the calling goroutine, one batch at a time, and generates
// on Generator's workers between calls. Emitted records belong to the
// caller.
package simulator
