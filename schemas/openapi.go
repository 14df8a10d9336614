package schemas

import _ "embed" // for the embedded OpenAPI document

// OpenAPI is openapi.yaml: the OpenAPI 3.1 document of the public v1 API
// (API.md), whose schemas are JSON Schema 2020-12. Its Interaction and
// Outcome schemas refer to interaction.schema.json and outcome.schema.json
// by relative references, so a tool that loads the document at
// [OpenAPIID] (or from this directory) finds [InteractionSchema] and
// [OutcomeSchema] beside it.
// Paths marked "x-agentpulse-status: planned" are not served yet. Serve it
// as is; do not modify the slice.
//
//go:embed openapi.yaml
var OpenAPI []byte

// OpenAPIID is where [OpenAPI] is published, beside [InteractionSchemaID].
const OpenAPIID = "https://agentpulse.dev/schemas/openapi.yaml"
