// Package storeview computes the figures of DESIGN.md §1 from a store's
// hourly buckets (processor/store.Reader) instead of raw interactions. Its
// answers equal those of views/reference over the same interactions, bit
// for bit (views.ExactDiff): every formula is the views package's, applied
// to Sums merged from buckets, and Sums on the grid (package views, "Figures
// are exact") merge and unmerge exactly in any order.
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
//     the tenant, any model, all time; newest by ended_at, then
//     interaction_id) is a lookup in the roster the processors keep as
//     state (store.RosterPart: per agent, model and log partition, the
//     newest current interaction; the newest part decides). So are the
//     models an agent has interactions in and their newest ended_at
//     (Models). With WithCache every tenant's roster is read from the
//     store once (at warm-up or first use) and kept current by the
//     updates' roster parts (OnUpdate); without, the store's roster is
//     read per call (Overlay lays the updates' parts over it).
//   - The directory (DirectoryTeams, DirectoryAgents: every team with
//     agents now and its agent count, every agent with their current
//     team and models) is the same roster: with WithCache through a
//     sorted index of the tenant's agents and of each team's, built once
//     from the roster and then moved by the updates' roster parts (a new
//     agent or a team move costs one sorted insert), so a page costs
//     O(log agents + page); without, built per call from one read.
//   - The inquiries of a model (ModelInquiries) are the keys of the
//     cache's 3-month aggregate (O(inquiries)); without WithCache one
//     read of the range's sums.
//   - The tenant's models are not listed by store.Reader: they are the
//     Reader's own list when it implements ModelLister; else, with a
//     store.ModelsLister (both stores: the small tenant_models table, never
//     a scan of buckets), the models of the tenant's roster in memory
//     (WithCache) or the store's list; else the list given with
//     WithModels, else DefaultModels.
//
// # Server-side sums
//
// Figures need Sums per (agent, inquiry, team) over a range, never a
// single bucket part: when the Reader is a store.Summer (both stores, and
// an Overlay over one) the parts are merged by the store (SumBuckets;
// ClickHouse reads with FINAL), so a 90-day model of 10,000 agents is
// ~80,000 rows instead of 7.2 M parts. Other Readers are read part by part (Buckets), with the same
// answers. An Overlay answers these for the agents without overlay parts
// in the query from its store, and merges the others part by part.
//
// # Fresh: the update overlay
//
// An Overlay (NewOverlay) wraps a store and lays the processor's updates
// (schemas.Update: the full new value and version of every changed
// bucket part, published before the processor stores its batch) over the
// store's parts, the higher version winning; Prune drops what the store's
// checkpoints show it holds. Views over an Overlay answer from buckets
// the moment an update arrives. store.Recent is not overlaid (updates
// carry no interactions): the recent and review lists follow one flush
// later. The updates' roster parts are overlaid (Overlay.Roster).
//
// # Fast: the benchmark cache
//
// Without WithCache every call reads the store. With it, the preset
// ranges (3m, 1m, 1w, 24h) of AgentPerformance, InquiryDetail and
// TeamAgents are answered from an entry per (tenant, model) holding the
// four presets (every model with data, or an LRU of a positive
// CacheConfig.MaxModels): per agent, the Sums of each
// (inquiry, team) over the range, and derived from them per inquiry the
// all-agents, per-team and per-agent Sums and the population's values of
// each metric kept sorted, so a label is a binary search, a median two
// reads and the top agent the first AES; per model the agents' totals and
// their sorted AES. A request costs one agent's work plus LatestData.
// Custom ranges are computed from the store as without the cache.
//
// Exactness. An entry is built by one read of the model's sums from the
// widest range's start (store.Summer: the store's monthly and daily
// rollups, hours only at the ragged ends and in days not sealed yet). The newest HotHours hours of the ranges are
// kept bucket part by bucket part, and updates to them replace parts
// (higher version wins, so an update read by the scan and received again
// is not counted twice, and one received during the scan is not lost);
// the agent's cells are recomputed from the parts and the groups and
// sorted values moved by the difference. An update to an older (sealed)
// hour marks its agent dirty; before the next answer the agent's sealed
// hours are read again, in one query for all dirty agents: of their key
// ranges up to the larger of MaxAgentRereads and half the entry's agents
// (at most 4,096), else one model-wide sum keeping theirs; never a
// rebuild. When
// the models' latest data reaches a new hour, the sealed hours leaving
// each preset are summed by the store and subtracted (or dropped, when
// the new start passes the old hot hours), hours entering at a calendar
// preset's start are summed and added, the hot hours that seal are
// merged from their parts, and every group is recomputed from the cells;
// an end that moves back rebuilds; a later end slides however far it
// moves (a quiet weekend or month; the hot parts hold every part from the
// old hot hours on, so nothing between the two ends is missing).
// Counts are integers and sums are on the grid, so subtraction
// (views.Sums.Unmerge) is exact and leaves no residue; the groups are
// recomputed from cells at every hour.
// The cache equals the store plus the updates received: a change stored
// by a processor whose update this server has not received yet shows when
// the update arrives (updates precede the store write).
//
// Memory: per entry ≈ 4 presets × 2 × (agents × inquiries) cells of about
// 100 bytes plus indexes and the hot parts; ~60 MB for 10,000 agents × 8
// inquiries. The roster: one entry per agent, model and log partition
// with interactions (~100 bytes each).
//
// # Warm-up
//
// Run (one goroutine per server) builds the entry of every (tenant,
// model) with data (store.ModelsLister; all, or a positive MaxModels) one at a time
// and reads every tenant's roster (once), at start, every WarmInterval
// (slides and re-reads then happen there rather than in a request), after
// an eviction and when late updates call for a rebuild. Ready is nil once
// the first pass has ended: /readyz includes it. A request whose entry is
// building waits at most CacheConfig.BuildWait and then fails with
// ErrWarming (the API: 503 + Retry-After) while the build goes on in the
// background; the choice over computing the answer uncached is load: an
// uncached answer scans the same range as the build, so a burst of first
// requests would multiply the scans the build does once. BuildWait 0
// (the default) waits for the build instead.
//
// # Concurrency
//
// A *Views without WithCache holds no mutable state; with it, the cache
// is guarded by locks that are never held while the store is read, and a
// build, slide or re-read runs once while concurrent requests wait
// (single flight). Every method, OnUpdate included, is safe for
// concurrent use when the Reader is (both stores and Overlay are).
//
// WorstInteractions and NewestInteractions (the coaching review list) read
// the agent's interactions on the inquiry with store.Reader.Recent, asking
// for as many as the buckets count from the range's start on, then filter
// to the range and sort with the reference's comparator.
package storeview
