// Package schemas owns the canonical interaction: the record every connector
// maps into and every other package reads. It also owns the outcome record
// ([Outcome], outcome.schema.json, [DecodeOutcome]): a survey answer or an
// observed resolution about an interaction, decoded with the same strictness. interaction.schema.json (embedded
// as [InteractionSchema]) is the contract; [Interaction] is its Go form;
// [DecodeInteraction], [NDJSONDecoder] and [ArrayDecoder] read it strictly,
// [Interaction.Validate] checks a Go value against the same rules, and
// [Interaction.AppendJSON] writes it fast. A shared corpus
// (testdata/corpus) and a differential fuzz test keep the schema, as judged
// by github.com/santhosh-tekuri/jsonschema/v6 with format assertions on, and
// the Go decoder in agreement on every input.
//
// It also owns the message of the updates topic: [Update] (its JSON Schema
// update.schema.json, embedded as [UpdateSchema]), [DecodeUpdate] and
// [Update.AppendJSON]. The processor writes it and servers read it through
// this package, so no reader imports the processor.
//
// # Rules
//
// Required: tenant_id, interaction_id, revision, model, agent_id, team_id,
// inquiry, started_at, ended_at, handle_time_s, source. Optional:
// predicted_satisfaction, predicted_resolution, hold_s, queue_wait_s,
// transfers, customer_key, chain_id, initiation, source_refs, attributes;
// null for an optional field means absent. No other top-level field is
// accepted; custom data goes in attributes.
//
//   - tenant_id, agent_id, team_id: ^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$, safe in
//     URL paths and in websocket channel names such as agent:{id}.
//   - interaction_id: 1 to 256 printable ASCII characters, no spaces.
//   - model: ^[a-z][a-z0-9_-]{0,31}$; source: ^[a-z][a-z0-9._-]{0,63}$.
//   - inquiry: 1 to 128 characters (code points), no control characters.
//   - revision: an integral number from 1 to 2^53-1.
//   - started_at, ended_at: see [ParseTimestamp]; ended_at >= started_at as
//     instants.
//   - handle_time_s: 0 to 86400; predicted_*: 0 to 1 (-0 is 0).
//   - hold_s: 0 to 86400; queue_wait_s: 0 to 2592000 (30 days); transfers:
//     an integral number from 0 to 1000. Nothing ties hold_s to
//     handle_time_s: platforms measure them differently.
//   - customer_key: 1 to 128, chain_id: 1 to 256 printable ASCII characters,
//     no spaces (an empty string is refused: leave the field out).
//   - initiation: inbound, outbound, callback or transfer.
//   - source_refs: at most 16 entries, names ^[a-z][a-z0-9_]{0,63}$, values
//     strings of at most 512 characters.
//   - attributes: at most 32 entries, names of 1 to 64 characters, values a
//     string of at most 512 characters, a number within ±(2^53-1), a boolean
//     or null; no nested objects or arrays.
//   - source_refs and attributes are held as their canonical JSON text
//     ([SourceRefs], [Attributes]: members sorted, last occurrence of a name
//     wins, escaping and numbers as encoding/json writes a map of them), not
//     as Go maps: decoding, folding and storing a record build no map, and
//     the text is what the API answers. Go code makes them from maps with
//     [MakeSourceRefs] and [MakeAttributes], which check the rules above.
//   - All text must be valid UTF-8: invalid bytes and unpaired UTF-16
//     surrogate escapes (\ud800) are refused with an error naming the field,
//     where encoding/json would silently substitute U+FFFD. The schema
//     library cannot see this (it reads through encoding/json), so the
//     corpus harness checks UTF-8 well-formedness of the text first, as
//     RFC 8259 requires of JSON exchanged between systems.
//
// # Decisions
//
// ended_at >= started_at compares two fields, which JSON Schema cannot
// express. interaction.schema.json states it with the keyword
// dateTimeNotBefore of the agentpulse cross-field vocabulary
// ([CrossFieldVocabulary]). A 2020-12 vocabulary can only be declared by a
// meta-schema, so the schema's "$schema" is the agentpulse dialect
// ([DialectSchema], itself a 2020-12 schema) rather than the plain 2020-12
// meta-schema. The dialect lists the vocabulary as optional (false): a
// generic validator that loads the dialect checks every other rule and
// ignores the keyword; the tests register an implementation of it with the
// schema library.
//
// revision accepts any number with an integral value, so 1.0, 1e0 and 0.1e1
// all mean 1. This is what "type": "integer" means in JSON Schema 2020-12 and
// what the schema library decides; refusing 1.0 would make the Go decoder
// and the schema disagree. Numbers are always judged on their exact decimal
// value (the library uses big.Rat), so 1.0000000000000001 is not a
// probability although it rounds to 1.0 as a float64.
//
// Timestamps are checked on their text, not via time.Time's UnmarshalJSON,
// which accepts forms the schema refuses (lower-case t and z). The schema
// enforces the form with both "format": "date-time" and a pattern that by
// itself accepts only real calendar dates of 2000-2099, so validators that
// treat format as an annotation reach the same verdict.
//
// # Errors
//
// Broken rules are reported as [ValidationErrors] (each a
// [*ValidationError] with Field, Rule and a Message an admin can act on);
// input that is not JSON as a [*SyntaxError]; stream decoders wrap
// per-record problems in a [*RecordError]. All of them match [ErrInvalid].
//
// # Concurrency
//
// Every function and method may be called concurrently, except that one
// [NDJSONDecoder] or [ArrayDecoder] must be used by one goroutine at a time.
// Package state is immutable after init apart from a lock-free cache of
// fixed time zones.
package schemas
