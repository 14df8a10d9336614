// Package planlog makes an in-memory store.PlanStore (the embedded
// store's) durable by keeping every write on a Kafka topic, "plans" by
// default, and replaying the topic into the store at Open.
//
// Why a topic and not a file: the embedded store is rebuilt from the
// broker's log at start, and so are its plans. The broker (embedded or
// external) already owns durability (its data dir, fsync policy,
// replication), so plans get the same guarantees as interactions with no
// second persistence mechanism, and a deployment that points --brokers at
// Kafka keeps its plans there too.
//
// Consistency: a write returns once the broker acknowledged it (acks=all)
// and the in-memory store holds it; a write the broker refused is not
// applied. Records are keyed tenant/plan/{id} or tenant/catalog and carry
// full states with versions, so replaying the topic in any order converges
// (the highest version wins) and a retried produce changes nothing.
//
// The topic's mechanics (creation, replay, acknowledged appends) are
// internal/topiclog's; planlog is its only writer, so it replays at Open and
// does not tail.
//
// A Log is safe for concurrent use.
package planlog
