package main

// The default partition count of the interactions and updates topics, used
// only when a command creates them (a topic's partitions are fixed for
// its life: adding partitions later moves interaction keys, see the
// RUNBOOK).
//
// scaleOutPartitions, for the commands of a scaled-out deployment
// (broker, process, serve), is the most processors that can ever fold at
// once: 24 divides evenly among 1, 2, 3, 4, 6, 8, 12 or 24 processors, so
// a consumer group of any of those sizes is balanced, and leaves a year's
// replay of a 50,000-agent center (~1.1 billion interactions) room to
// spread over many processors once ClickHouse is sharded. What grows with
// it stays small: inserts do not (a processor flushes its partitions in
// one insert per table), roster parts are agents × models × partitions
// rows, model_latest models × partitions, snapshots one row per partition
// and interval. docs/RUNBOOK.md (Kafka partitions) has the figures.
//
// allPartitions, for `agentpulse all` (one process on the embedded broker
// and, by default, the embedded store), stays 8: it runs one processor,
// and every partition costs it fixed buffers.
const (
	scaleOutPartitions = 24
	allPartitions      = 8
)
