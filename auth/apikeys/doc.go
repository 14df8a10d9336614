// Package apikeys owns the machine keys of ingest clients and connectors:
// per-tenant API keys that admins create, list (the secret is shown once,
// at creation, never again), revoke and rotate.
//
// # Storage: a compacted Kafka topic
//
// Keys are kept on a compacted topic (DefaultTopic, one partition, record
// key tenant/id, the newest state of each key wins) rather than in the
// store: the `ingest` command has no store, only the broker, and every
// process of the product (ingest, serve, all) already talks to it. Each
// process replays the topic at start (Open) and then tails it (Run), so a
// revocation made by any server reaches every ingest process as soon as the
// broker delivers it: well within seconds (TestRevocationReachesEveryProcess
// measures it). Only a SHA-256 of each key is stored: a key carries 256
// random bits, so a fast hash is enough (slow hashes protect guessable
// passwords) and verification costs one hash and one constant-time compare.
//
// The topic's mechanics (creation, replay then tail, acknowledged appends,
// readiness) are internal/topiclog's.
//
// # Format
//
// A key is "apk_" + 16 hex digits of id + "_" + 43 base64url characters of
// secret (32 random bytes). The id names the key in lists and logs; the
// secret is never logged, stored or shown again.
//
// # Concurrency
//
// A Keyring and a Log are safe for concurrent use. Verify never blocks on
// the broker: it reads the in-memory keyring Run keeps current.
package apikeys
