// Package backfill owns `agentpulse import`: reading a file of canonical
// interactions (NDJSON or CSV), sending the valid ones to the interactions
// topic and the invalid ones, with their reason, to the dead-letter topic
// through a Sink (ingest.Producer), in batches that are durably
// acknowledged and checkpointed so that an interrupted import resumes where
// it stopped.
//
// # Formats
//
// NDJSON: one canonical interaction (schemas/interaction.schema.json) per
// line, judged by schemas.DecodeInteraction exactly as the ingest API
// judges it. Blank lines are skipped, "\r\n" line ends are accepted.
//
// CSV (RFC 4180): the first row is a header naming canonical fields, in any
// order; each later row is one interaction. Cells are separated by ',',
// rows by "\n" or "\r\n"; a cell in double quotes may hold commas, line
// breaks and "" for a quote.
//
//	tenant_id,interaction_id,revision,model,agent_id,team_id,inquiry,started_at,ended_at,handle_time_s,predicted_satisfaction,predicted_resolution,source,source_refs,attributes
//	acme,c-1,1,voice,a1,t1,billing,2026-11-25T09:00:00Z,2026-11-25T09:05:00Z,300,0.8,0.9,import,"{""contact_id"":""c-1""}",
//	acme,e-7,1,email,a2,t1,refund,2026-11-25T09:00:00Z,2026-11-25T09:20:00Z,240,,,import,,"{""vip"":true}"
//
// Required columns: tenant_id, interaction_id, revision, model, agent_id,
// team_id, inquiry, started_at, ended_at, handle_time_s, source. Optional
// columns: predicted_satisfaction, predicted_resolution, hold_s,
// queue_wait_s, transfers, customer_key, chain_id, initiation, source_refs,
// attributes. A header that names any other column, names one twice or
// lacks a required one stops the import before anything is sent (every
// row would fail the same way). In a row, an empty cell means the field is
// absent: no prediction for predicted_*, a "required" error for a required
// field. Number cells (revision, handle_time_s, predicted_*) are JSON
// numbers, spaces around them ignored; source_refs and attributes cells
// hold a JSON object's text; every other cell is text taken verbatim. A
// row becomes a JSON object that schemas.DecodeInteraction judges, so a
// CSV row is accepted exactly when the same values sent as JSON would be.
//
// Either format may start with a UTF-8 byte-order mark. FormatAuto picks
// the format from the extension (.ndjson/.jsonl/.json, .csv), else from
// the first byte ('{' is NDJSON). Compressed files are not read: offsets
// must be file offsets for resuming.
//
// # Refused records
//
// A record that does not decode or validate, a CSV row that is malformed
// or has the wrong number of cells, and a record longer than
// Config.MaxRecord (1 MiB) are refused: each goes to the dead-letter topic
// (stage "import", the reason "line N (record I): field: rule" in the
// reason header, the record's bytes as value, its tenant as key when
// readable; a too-long record's bytes are not kept) and is counted in
// Summary.Rejected. The import goes on. Only an unreadable file, a bad CSV
// header, a sink error or an unwritable state file stop it.
//
// # Resume
//
// Records are read in batches of Config.BatchSize. Each batch is sent
// with its dead-letter records first, then its interactions, each call
// waiting for the broker's durable acknowledgement; up to Config.InFlight
// batches (default 2) are sent at once, and they are checkpointed in file
// order: after a batch and every batch before it are acknowledged, the
// position after it (byte offset, line, record count) and the counts are
// written to the state file (Config.StatePath, default FILE.progress)
// atomically: temporary file, fsync, rename. A run that finds a state file
// checks that it belongs to this file (same size, same SHA-256 of the
// first 64 KiB, same format; a changed modification time alone is only
// logged) and starts at its position; a mismatch stops with
// ErrStateMismatch. A finished import removes its state file, so the next
// run of the same command imports the file again from the start. Batches
// sent but not checkpointed when an import stops (at most InFlight of
// them; after a crash, or a cancellation while they were in flight) are
// sent again on resume: the processor deduplicates by tenant, interaction
// and revision, so this is harmless. Nothing before the checkpoint is sent
// twice. When the context ends no new batch is started.
//
// # Concurrency
//
// An Importer runs one import from the goroutine that calls Run. Inside
// Run one goroutine reads and decodes batches (two at most wait decoded),
// one goroutine per batch in flight sends it, the calling goroutine
// checkpoints, and a progress goroutine reads atomic counters; all have
// ended when Run returns. The Sink must be safe for concurrent use
// (ingest.Producer is). Readers (NDJSONReader, CSVReader) are not safe for
// concurrent use; a CSVHeader is immutable and may be shared.
package backfill
