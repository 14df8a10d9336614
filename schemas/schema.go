package schemas

import _ "embed" // for the embedded schema files

// InteractionSchema is interaction.schema.json: the JSON Schema (2020-12
// dialect plus the agentpulse cross-field vocabulary) of [Interaction]. Serve
// it as is; do not modify the slice.
//
//go:embed interaction.schema.json
var InteractionSchema []byte

// DialectSchema is dialect.schema.json: the meta-schema named by the "$schema"
// of [InteractionSchema]. It declares the standard 2020-12 vocabularies plus
// the optional vocabulary [CrossFieldVocabulary]. A generic validator needs it
// to load InteractionSchema; serve it at [DialectSchemaID]. Do not modify the
// slice.
//
//go:embed dialect.schema.json
var DialectSchema []byte

// Identifiers of the schema documents and of the agentpulse vocabulary.
const (
	// InteractionSchemaID is the "$id" of InteractionSchema.
	InteractionSchemaID = "https://agentpulse.dev/schemas/interaction.schema.json"
	// DialectSchemaID is the "$id" of DialectSchema.
	DialectSchemaID = "https://agentpulse.dev/schemas/dialect.schema.json"
	// CrossFieldVocabulary is the URI of the agentpulse vocabulary that adds
	// the keyword [DateTimeNotBeforeKeyword].
	CrossFieldVocabulary = "https://agentpulse.dev/schemas/vocab/cross-field"
	// DateTimeNotBeforeKeyword is the cross-field keyword. Its value maps a
	// "later" property name to an "earlier" one; when both are present
	// RFC 3339 date-times, later must not be before earlier.
	DateTimeNotBeforeKeyword = "dateTimeNotBefore"
)

// OutcomeSchema is outcome.schema.json: the JSON Schema (the agentpulse
// dialect, like [InteractionSchema]) of [Outcome]. Do not modify the slice.
//
//go:embed outcome.schema.json
var OutcomeSchema []byte

// OutcomeSchemaID is the "$id" of OutcomeSchema.
const OutcomeSchemaID = "https://agentpulse.dev/schemas/outcome.schema.json"

// Keywords of the cross-field vocabulary for numbers (outcome.schema.json):
// each entry "lesser": "greater" of an object requires, when both
// properties are numbers, lesser <= greater (NumberNotAboveKeyword) or
// lesser < greater (NumberBelowKeyword).
const (
	NumberNotAboveKeyword = "numberNotAbove"
	NumberBelowKeyword    = "numberBelow"
)

// WSSchema is ws.schema.json: the JSON Schema (2020-12) of every message
// of the websocket protocol of GET /v1/ws. Do not modify the slice.
//
//go:embed ws.schema.json
var WSSchema []byte

// WSSchemaID is the "$id" of WSSchema.
const WSSchemaID = "https://agentpulse.dev/schemas/ws.schema.json"
