// Package ingest owns everything that brings interactions into agentpulse:
// the connectors (one per CCaaS delivery format, plus generic JSON, NDJSON
// and CSV), validation against the canonical schema (package schemas),
// producing accepted records to the "interactions" topic keyed by tenant and
// interaction (Key), and the dead-letter topic for records that fail.
// Outcome records (POST /v1/ingest/outcomes, schemas.Outcome) go to the
// "outcomes" topic keyed the same way (schemas.OutcomeKey), so that with
// equal partition counts an outcome is in its interaction's partition.
//
// The simulated contact center used by `make run`, the tests and the
// benchmarks lives in the subpackage simulator.
package ingest
