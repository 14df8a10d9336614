package clickhouse

import "strings"

// queries holds every statement the store sends, with the database name
// filled in. Arguments are bound client-side by the driver (positional ?),
// which 18.16 needs: it has no server-side query parameters.
//
// 18.16 rules kept here: inserts name their columns; no alias equals a
// column name used inside an aggregate (argMax(volume, version) AS
// v_volume, never AS volume); no window functions.
type queries struct {
	insertInteractions string
	insertRevisions    string
	insertBuckets      string
	insertBucketHours  string
	insertTouches      string
	insertRollupState  string
	insertCheckpoint   string
	insertSnapshot     string
	insertKeyFilter    string
	insertRoster       string
	insertModels       string

	checkpoint    string
	buckets       string // Buckets appends its filters, GROUP BY and HAVING
	bucketsByHour string // buckets over bucket_hours, for reads of every agent
	modelParts    string
	rosterParts   string
	insertLatest  string
	latestRows    string // latestCurrent appends its OR of candidates, then latestTail
	latestTail    string
	recent        string
	loadBounds    string
	loadPartition string
	snapshot      string
	keyFilter     string
	keys          string
	current       string
	candidates    string // CurrentIn appends its OR of bucket conditions
	worst         string // Worst fills {{filter}} and {{order}}
	worstRows     string // interactions per hour of an agent's key range
	worstVolumes  string // bucket volume per hour of an agent's key range
	roster        string // Roster appends an agent filter and GROUP BY
	tenantModels  string
}

// recordColumns is the select list rowScanner.scan decodes.
const recordColumns = "tenant_id, interaction_id, revision, model, agent_id, team_id, inquiry, " +
	"started_at_ns, started_at_offset, ended_at_ns, ended_at_offset, handle_time_s, " +
	"predicted_satisfaction, predicted_resolution, source, source_refs, attributes, log_partition, log_offset, " +
	"hold_s, queue_wait_s, transfers, customer_key, chain_id, initiation"

func newQueries(db string) queries {
	r := strings.NewReplacer("{{db}}", db, "{{record}}", recordColumns)
	return queries{
		insertInteractions: r.Replace("INSERT INTO {{db}}.interactions (" + interactionInsertColumns + ")"),
		insertRevisions:    r.Replace("INSERT INTO {{db}}.interaction_revisions (" + revisionInsertColumns + ")"),
		insertBuckets:      r.Replace("INSERT INTO {{db}}.buckets (" + bucketInsertColumns + ")"),
		insertBucketHours:  r.Replace("INSERT INTO {{db}}.bucket_hours (" + bucketInsertColumns + ")"),
		insertTouches:      r.Replace("INSERT INTO {{db}}.bucket_touches (tenant_id, model, day, log_partition, version, newest_hour)"),
		insertRollupState:  r.Replace("INSERT INTO {{db}}.rollup_state (tenant_id, model, span, period, gen, covers)"),
		insertCheckpoint:   r.Replace("INSERT INTO {{db}}.checkpoints (log_partition, next_offset)"),
		insertRoster:       r.Replace("INSERT INTO {{db}}.roster (" + rosterInsertColumns + ")"),
		insertModels:       r.Replace("INSERT INTO {{db}}.tenant_models (tenant_id, model)"),

		// An agent's current interactions on a model and inquiry that
		// ended in [from, to), poorest first by a metric, limited; every
		// read is the agent's key range (see Worst). A row in a settled
		// hour is current when it is its interaction's highest revision
		// among the agent's rows of the settled hours of [hlo, hhi) (the
		// range's whole hours); a row in an unsettled hour when it is the
		// highest revision anywhere (the revisions index, for the few
		// interactions of those hours only). The first ? of each branch is
		// the set of unsettled hours (hours since 1970, UTC).
		worst: r.Replace(`SELECT {{record}}
FROM {{db}}.interactions
WHERE tenant_id = ? AND agent_id = ? AND model = ? AND inquiry = ? AND ended_at_ns >= ? AND ended_at_ns < ?{{filter}}
	AND ((intDiv(ended_at_ns, 3600000000000) NOT IN ? AND (interaction_id, revision) IN (
		SELECT interaction_id, max(revision)
		FROM {{db}}.interactions
		WHERE tenant_id = ? AND agent_id = ? AND model = ? AND inquiry = ? AND ended_at_ns >= ? AND ended_at_ns < ?
			AND intDiv(ended_at_ns, 3600000000000) NOT IN ?
		GROUP BY interaction_id))
	OR (intDiv(ended_at_ns, 3600000000000) IN ? AND (interaction_id, revision) IN (
		SELECT interaction_id, max(revision)
		FROM {{db}}.interaction_revisions
		WHERE tenant_id = ? AND interaction_id IN (
			SELECT interaction_id
			FROM {{db}}.interactions
			WHERE tenant_id = ? AND agent_id = ? AND model = ? AND inquiry = ? AND ended_at_ns >= ? AND ended_at_ns < ?
				AND intDiv(ended_at_ns, 3600000000000) IN ?)
		GROUP BY interaction_id)))
ORDER BY {{order}}, ended_at_ns DESC, interaction_id DESC
LIMIT 1 BY interaction_id
LIMIT ?`),

		// Per hour of an agent's key range of interactions, how many
		// interactions have a row there, and how many the agent's buckets
		// count there (the newest version of each part, summed over teams
		// and partitions): Worst's settled-hour check.
		worstRows: r.Replace(`SELECT intDiv(ended_at_ns, 3600000000000) AS h, uniqExact(interaction_id)
FROM {{db}}.interactions
WHERE tenant_id = ? AND agent_id = ? AND model = ? AND inquiry = ? AND ended_at_ns >= ? AND ended_at_ns < ?
GROUP BY h`),
		worstVolumes: r.Replace(`SELECT intDiv(toInt64(toUInt32(hour)), 3600) AS h, sum(v_volume)
FROM (
	SELECT hour, team_id, log_partition, argMax(volume, version) AS v_volume
	FROM {{db}}.buckets
	WHERE tenant_id = ? AND model = ? AND agent_id = ? AND inquiry = ? AND hour >= toDateTime(?) AND hour < toDateTime(?)
	GROUP BY hour, team_id, log_partition)
GROUP BY h`),

		// The newest value of every roster part of a tenant: a key range.
		roster: r.Replace(`SELECT agent_id, model, log_partition, argMax(team_id, version) AS v_team,
	argMax(interaction_id, version) AS v_id, argMax(ended_at_ns, version) AS v_ended, max(version) AS v_version
FROM {{db}}.roster
WHERE tenant_id = ?`),
		tenantModels: r.Replace("SELECT DISTINCT tenant_id, model FROM {{db}}.tenant_models"),

		insertSnapshot: r.Replace("INSERT INTO {{db}}.snapshots (log_partition, next_offset, state)"),

		// A snapshot row is a checkpoint too (see the snapshots DDL).
		checkpoint: r.Replace(`SELECT greatest(
	(SELECT max(next_offset) FROM {{db}}.checkpoints WHERE log_partition = ?),
	(SELECT max(next_offset) FROM {{db}}.snapshots WHERE log_partition = ?))`),
		snapshot: r.Replace(`SELECT next_offset, state FROM {{db}}.snapshots WHERE log_partition = ?
ORDER BY next_offset DESC LIMIT 1`),
		insertKeyFilter: r.Replace("INSERT INTO {{db}}.key_filters (log_partition, built_below, filter)"),
		keyFilter: r.Replace(`SELECT built_below, filter FROM {{db}}.key_filters WHERE log_partition = ?
ORDER BY built_below DESC LIMIT 1`),
		// Every interaction a partition applied below an offset, once per
		// revision (the caller folds duplicates): a scan of the revisions
		// index, whose rows are small.
		keys: r.Replace(`SELECT tenant_id, interaction_id FROM {{db}}.interaction_revisions
WHERE log_partition = ? AND log_offset < ?`),

		// The newest revision below an offset of a few interactions of a
		// tenant that a partition applied. The revisions index finds each
		// one's newest revision and its ended_at; the ended_at set lets the
		// read of interactions skip the months that cannot hold them.
		current: r.Replace(`SELECT {{record}}
FROM {{db}}.interactions
WHERE tenant_id = ? AND log_partition = ? AND log_offset < ? AND interaction_id IN ?
	AND ended_at_ns IN (
		SELECT ended_at_ns FROM {{db}}.interaction_revisions
		WHERE tenant_id = ? AND interaction_id IN ? AND log_partition = ? AND log_offset < ?)
	AND (interaction_id, revision) IN (
		SELECT interaction_id, max(revision)
		FROM {{db}}.interaction_revisions
		WHERE tenant_id = ? AND interaction_id IN ? AND log_partition = ? AND log_offset < ?
		GROUP BY interaction_id)
LIMIT 1 BY interaction_id`),

		// The ids of every revision a partition applied below an offset in
		// some buckets of a tenant: key ranges of interactions.
		candidates: r.Replace(`SELECT DISTINCT interaction_id
FROM {{db}}.interactions
WHERE tenant_id = ? AND log_partition = ? AND log_offset < ? AND (`),

		// The newest version of every bucket part in range; filters on
		// agent, team and inquiry are appended before GROUP BY.
		buckets: r.Replace(`SELECT agent_id, inquiry, team_id, toUInt32(hour) AS hour_s, log_partition,
	` + selectValues("argMax(%s, version)", "v_") + `,
	max(version) AS v_version
FROM {{db}}.buckets
WHERE tenant_id = ? AND model = ? AND hour >= toDateTime(?) AND hour < toDateTime(?)`),

		// The same over the time-sorted copy: a range of hours of every
		// agent is a key range there.
		bucketsByHour: r.Replace(`SELECT agent_id, inquiry, team_id, toUInt32(hour) AS hour_s, log_partition,
	` + selectValues("argMax(%s, version)", "v_") + `,
	max(version) AS v_version
FROM {{db}}.bucket_hours
WHERE tenant_id = ? AND model = ? AND hour >= toDateTime(?) AND hour < toDateTime(?)`),

		// The k newest non-empty roster parts of a model whose newest
		// value ended at or after a bound: agent, interaction and
		// ended_at. Only the parts with a row (any version) at or after
		// the bound are grouped; finding them reads two fixed-width
		// columns of the tenant's roster.
		rosterParts: r.Replace(`SELECT agent_id, v_id, v_ended FROM (
	SELECT agent_id, argMax(interaction_id, version) AS v_id, argMax(ended_at_ns, version) AS v_ended
	FROM {{db}}.roster
	WHERE tenant_id = ? AND model = ? AND (agent_id, log_partition) IN (
		SELECT agent_id, log_partition FROM {{db}}.roster
		WHERE tenant_id = ? AND model = ? AND ended_at_ns >= ?)
	GROUP BY agent_id, log_partition)
WHERE v_id != '' AND v_ended >= ?
ORDER BY v_ended DESC, v_id DESC
LIMIT ?`),

		// The non-empty model_latest parts of a model, newest first: one
		// per log partition, a key range.
		modelParts: r.Replace(`SELECT v_agent, v_id, v_ended FROM (
	SELECT argMax(agent_id, version) AS v_agent, argMax(interaction_id, version) AS v_id,
		argMax(ended_at_ns, version) AS v_ended
	FROM {{db}}.model_latest
	WHERE tenant_id = ? AND model = ?
	GROUP BY log_partition)
WHERE v_id != ''
ORDER BY v_ended DESC, v_id DESC`),
		insertLatest: r.Replace("INSERT INTO {{db}}.model_latest (" + latestInsertColumns + ")"),

		// The rows of some roster parts' interactions that are their
		// interaction's newest revision anywhere, with their zone offset:
		// a key range of interactions per part, of interaction_revisions
		// per id.
		latestRows: r.Replace(`SELECT agent_id, interaction_id, ended_at_ns, ended_at_offset
FROM {{db}}.interactions
WHERE tenant_id = ? AND (`),
		latestTail: r.Replace(`)
	AND (interaction_id, revision) IN (
		SELECT interaction_id, max(revision)
		FROM {{db}}.interaction_revisions
		WHERE tenant_id = ? AND interaction_id IN ?
		GROUP BY interaction_id)
LIMIT 1 BY agent_id, interaction_id, ended_at_ns`),

		// An agent's current interactions on a model and inquiry that
		// ended before a bound (unix ns; MaxInt64 for Recent), newest
		// first. The innermost query picks the agent's k newest candidate
		// interactions; the middle one finds each one's newest revision
		// anywhere (it may have moved to another agent, model or inquiry);
		// the outer one keeps the agent's rows that are that revision.
		// LIMIT 1 BY drops duplicates that merges have not collapsed yet.
		recent: r.Replace(`SELECT {{record}}
FROM {{db}}.interactions
WHERE tenant_id = ? AND agent_id = ? AND model = ? AND inquiry = ? AND ended_at_ns < ?
	AND (interaction_id, revision) IN (
		SELECT interaction_id, max(revision)
		FROM {{db}}.interaction_revisions
		WHERE tenant_id = ? AND interaction_id IN (
			SELECT interaction_id
			FROM {{db}}.interactions
			WHERE tenant_id = ? AND agent_id = ? AND model = ? AND inquiry = ?
			GROUP BY interaction_id
			HAVING argMax(ended_at_ns, revision) < ?
			ORDER BY argMax(ended_at_ns, revision) DESC, interaction_id DESC
			LIMIT ?)
		GROUP BY interaction_id)
ORDER BY ended_at_ns DESC, interaction_id DESC
LIMIT 1 BY interaction_id
LIMIT ?`),

		// The event-time span of what a partition applied below an
		// offset: LoadPartition reads it month by month.
		loadBounds: r.Replace(`SELECT count(), min(ended_at_ns), max(ended_at_ns)
FROM {{db}}.interaction_revisions
WHERE log_partition = ? AND log_offset < ?`),

		// The newest revision below an offset of every interaction a
		// partition applied whose newest revision ended in [from, to):
		// the interactions table is read in that range only (its parts
		// are pruned by month), the narrow revisions index whole but only
		// for the interactions with a revision in the range (one that
		// moved to another month since is left to that month's read).
		loadPartition: r.Replace(`SELECT {{record}}
FROM {{db}}.interactions
WHERE log_partition = ? AND log_offset < ? AND ended_at_ns >= ? AND ended_at_ns < ?
	AND (tenant_id, interaction_id, revision) IN (
		SELECT tenant_id, interaction_id, max(revision)
		FROM {{db}}.interaction_revisions
		WHERE log_partition = ? AND log_offset < ?
			AND (tenant_id, interaction_id) IN (
				SELECT tenant_id, interaction_id
				FROM {{db}}.interaction_revisions
				WHERE log_partition = ? AND log_offset < ? AND ended_at_ns >= ? AND ended_at_ns < ?)
		GROUP BY tenant_id, interaction_id)
ORDER BY ended_at_ns
LIMIT 1 BY tenant_id, interaction_id`),
	}
}
