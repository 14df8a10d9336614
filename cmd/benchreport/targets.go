package main

// A target is one row of DESIGN.md §4: a benchmark's metric compared with
// the figure to reach on the 2-core test machine.
type target struct {
	What   string  // the figure, as DESIGN.md §4 names it
	Goal   string  // the target, as DESIGN.md §4 states it
	Bench  string  // the benchmark's full name without "Benchmark" and the -N suffix
	Unit   string  // the b.ReportMetric unit holding the figure
	AtMost bool    // the figure must be ≤ Limit (else ≥ Limit)
	Limit  float64 // the target in Unit
	Pkg    string  // the package, for the command line
	Env    string  // environment the command needs, if any
	Run    string  // the command's -bench pattern, when more than Bench must run (a ratio to a smaller size)
	Short  string  // why the target is missed, when it is (shown only then)
}

// targets are DESIGN.md §4's figures, in its order.
var targets = []target{
	{
		What: "replay/backfill, Kafka → processor → ClickHouse", Goal: "≥ 250 000 interactions/s",
		Bench: "ReplayToClickHouse/n=1000000", Unit: "interactions/s", Limit: 250_000, Pkg: "./processor/",
		Short: "250 000/s on 2 cores leaves 8 µs of CPU per interaction for everything; ClickHouse 18.16 alone spends more (ch_cpu_us/interaction: each interaction is ~3.8 stored rows — its interactions row, its revisions index row, and its share of buckets and bucket_hours (rows/interaction)), on the same cores as the processor and the broker. The raw insert of the same rows (no Kafka, no fold) is the ceiling: see the ratio below and cpu_us/interaction for the processor's own share.",
	},
	{
		What: "processor memory as history grows (same daily rate, 10^6 → 10^7 interactions of history)", Goal: "flat: ≤ 1.3 ×",
		Bench: "ReplayToClickHouse/n=10000000", Unit: "processor_heap_vs_tenth", AtMost: true, Limit: 1.3, Pkg: "./processor/",
		Env: "AGENTPULSE_BENCH_SCALE=full", Run: "^BenchmarkReplayToClickHouse$/^n=(1000000|10000000)$",
		Short: "the fold's hot days are flat (day indexes and bucket parts are no larger at 10^7 than at 10^6); the state that grows with history is the Bloom chain of evicted keys (~3 B per evicted interaction, 30 MB at 10^7 in the heap profile) and it is sent again in every snapshot. A static, exactly sized filter of old keys beside a Bloom filter of recent evictions (issue 12's own suggestion) would make it flat.",
	},
	{
		What: "freshness, ingest accepted → websocket message received", Goal: "p99 ≤ 50 ms at 1 000 interactions/s",
		Bench: "Freshness", Unit: "p99_ms", AtMost: true, Limit: 50, Pkg: "./server/live/",
	},
	{
		What: "agent performance page, 10 000 agents × 90 days in ClickHouse", Goal: "p99 ≤ 50 ms",
		Bench: "PerformanceClickHouse/agents=10000/warm", Unit: "p99_ms", AtMost: true, Limit: 50, Pkg: "./views/storeview/",
	},
	{
		What: "team agents route (3m), 50 000 agents × 90 days, live feed 200/s", Goal: "p99 ≤ 50 ms",
		Bench: "LiveClickHouse/agents=50000/team/3m", Unit: "p99_ms", AtMost: true, Limit: 50, Pkg: "./views/storeview/", Env: "AGENTPULSE_BENCH_SCALE=full",
	},
	{
		What: "wallboard route, admin (every team, 3m), 50 000 agents × 90 days, live feed 200/s", Goal: "p99 ≤ 50 ms",
		Bench: "LiveClickHouse/agents=50000/wallboard_admin/3m", Unit: "p99_ms", AtMost: true, Limit: 50, Pkg: "./views/storeview/", Env: "AGENTPULSE_BENCH_SCALE=full",
	},
	{
		What: "wallboard route, supervisor (two teams, 3m), 50 000 agents × 90 days, live feed 200/s", Goal: "p99 ≤ 50 ms",
		Bench: "LiveClickHouse/agents=50000/wallboard_supervisor/3m", Unit: "p99_ms", AtMost: true, Limit: 50, Pkg: "./views/storeview/", Env: "AGENTPULSE_BENCH_SCALE=full",
	},
	{
		What: "models route, 50 000 agents × 90 days, live feed 200/s", Goal: "p99 ≤ 50 ms",
		Bench: "LiveClickHouse/agents=50000/models", Unit: "p99_ms", AtMost: true, Limit: 50, Pkg: "./views/storeview/", Env: "AGENTPULSE_BENCH_SCALE=full",
	},
	{
		What: "cold start of a server's figures, 50 000 agents × 90 days (live feed 200/s)", Goal: "≤ 5 s",
		Bench: "LiveClickHouse/agents=50000/cold", Unit: "cold_s", AtMost: true, Limit: 5, Pkg: "./views/storeview/", Env: "AGENTPULSE_BENCH_SCALE=full",
	},
	{
		What: "a model-wide custom range, 50 000 agents × 90 days (live feed 200/s), median of 10", Goal: "≤ 500 ms",
		Bench: "LiveClickHouse/agents=50000/custom", Unit: "p50_ms", AtMost: true, Limit: 500, Pkg: "./views/storeview/", Env: "AGENTPULSE_BENCH_SCALE=full",
	},
	{
		What: "websocket fan-out, one server", Goal: "10 000 subscribers, broadcast p99 ≤ 100 ms",
		Bench: "Fanout/hub", Unit: "broadcast_p99_ms", AtMost: true, Limit: 100, Pkg: "./server/ws/",
		Short: "the 10 000 client sockets run in a child process on the same 2 cores (the container's hard limit of 20 000 file descriptors rules out more processes), so reading them competes with writing them: a bare gorilla/websocket loop writing the same bytes in the same run misses the budget by itself, and the hub adds only the ratio below over it. A measurement with the clients on other machines is what would show the server's own figure.",
	},
	{
		What: "HTTP ingest, NDJSON batches, durable broker ack", Goal: "≥ 100 000 interactions/s",
		Bench: "IngestNDJSON/broker=disk-fsync/Parallel", Unit: "records/s", Limit: 100_000, Pkg: "./ingest/",
	},
	{
		What: "restart: kill -9 of the processor → serving fresh figures again, 10^7 interactions of history", Goal: "≤ 10 s",
		Bench: "ProcessorRestart/history=10000000", Unit: "restart_s", AtMost: true, Limit: 10, Pkg: "./cmd/agentpulse/",
		Env: "AGENTPULSE_BENCH_SCALE=full",
	},
	{
		What: "restart: kill -9 of the processor → serving fresh figures again, 10^7 ÷ 10^6 interactions of history", Goal: "≤ 1.5 ×",
		Bench: "ProcessorRestart/history=10000000", Unit: "restart_vs_tenth", AtMost: true, Limit: 1.5, Pkg: "./cmd/agentpulse/",
		Env: "AGENTPULSE_BENCH_SCALE=full", Run: "^BenchmarkProcessorRestart$",
	},
	{
		What: "learned outcomes on the simulator's center without predictions: Spearman(AES, true AES) per model × inquiry", Goal: "≥ 0.8",
		Bench: "SimulatedCenter", Unit: "spearman_aes", Limit: 0.8, Pkg: "./views/reference/",
	},
	{
		What: "learned outcomes on the simulator's center: Spearman(AES, true AES) above AHT alone", Goal: "≥ 0.15 above AHT alone",
		Bench: "SimulatedCenter", Unit: "spearman_gain", Limit: 0.15, Pkg: "./views/reference/",
		Short: "the simulator's agents have an outcome propensity per inquiry apart from their speed (outcomeSpread), so AHT alone ranks the true AES 0.78–0.79; the learned AES was 0.18 above it at 1 000 agents (2026-12-03, by hand).",
	},
	{
		What: "learning's CPU per interaction (features, both predictions, both updates)", Goal: "≤ 2 µs",
		Bench: "LearnerPerInteraction", Unit: "cpu_ns/op", AtMost: true, Limit: 2000, Pkg: "./outcomes/",
	},
	{
		What: "learning's CPU per interaction on the simulated center, the whole outcome stream (labels, customer histories, sealing, both models)", Goal: "≤ 2 µs",
		Bench: "SimulatedCenter", Unit: "learn_cpu_us/interaction", AtMost: true, Limit: 2, Pkg: "./views/reference/",
		Short: "20–36 µs measured under load (2026-12-03): the model itself is the row above; the rest is outcomes.Stream's bookkeeping — per seal, each contact's labels look up its customer's history in a string-keyed map and binary-search it, drains and map probing (cache misses) dominate the profile.",
	},
}

// A comparison is a figure of the same run set against another one: the
// ratio shows what our code costs over the bare mechanism.
type comparison struct {
	What       string
	Bench      string
	Unit       string
	OverBench  string
	OverUnit   string
	RatioMeans string // how to read the ratio
}

var comparisons = []comparison{
	{
		What:  "learned AES ÷ AHT alone, Spearman with the true AES, on a center whose outcomes vary as much as speed",
		Bench: "LearnedOutcomes", Unit: "spearman_aes",
		OverBench: "LearnedOutcomes", OverUnit: "spearman_aht",
		RatioMeans: "how much better the learned AES ranks agents than handle time alone (1 = no better)",
	},
	{
		What:  "replay through Kafka and the processor ÷ raw ClickHouse insert of the same rows",
		Bench: "ReplayToClickHouse/n=1000000", Unit: "interactions/s",
		OverBench: "ReplayToClickHouse/n=1000000", OverUnit: "raw_interactions/s",
		RatioMeans: "share of the store's own insert rate the whole pipeline reaches (1 = free)",
	},
	{
		What:  "websocket hub ÷ bare gorilla/websocket broadcast loop, broadcast p99",
		Bench: "Fanout/hub", Unit: "broadcast_p99_ms",
		OverBench: "Fanout/minimal", OverUnit: "broadcast_p99_ms",
		RatioMeans: "time the hub's protocol (channels, history, queues) adds over writing the same bytes (1 = free)",
	},
	{
		What:  "websocket hub ÷ bare gorilla/websocket loop, memory per connection",
		Bench: "Fanout/hub", Unit: "bytes/conn",
		OverBench: "Fanout/minimal", OverUnit: "bytes/conn",
		RatioMeans: "memory the hub holds per subscriber over the bare loop",
	},
	{
		What:  "HTTP ingest acknowledged after fsync ÷ the same into an in-memory broker",
		Bench: "IngestNDJSON/broker=disk-fsync/Parallel", Unit: "records/s",
		OverBench: "IngestNDJSON/broker=memory/Parallel", OverUnit: "records/s",
		RatioMeans: "share of the ingest rate left once every batch is on disk before the answer",
	},
	{
		What:  "HTTP ingest (memory broker) ÷ reading and validating the same batches alone",
		Bench: "IngestNDJSON/broker=memory/Parallel", Unit: "records/s",
		OverBench: "IngestRead", OverUnit: "records/s",
		RatioMeans: "share of the parser's speed left after HTTP and the broker round trip",
	},
}
