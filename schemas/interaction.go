package schemas

import (
	"time"
)

// Interaction is one finished contact handled by one agent: the canonical
// record every connector maps into and every store and view reads.
// interaction.schema.json is its contract; Validate enforces the same rules,
// DecodeInteraction reads it strictly from JSON and AppendJSON writes it
// (the same bytes as encoding/json, without reflection).
//
// The zero value is not valid. An Interaction is a plain value: copying it
// is safe, but the pointer and map fields are shared by copies.
type Interaction struct {
	// TenantID is the contact-center organisation; every key is scoped by it.
	TenantID string `json:"tenant_id"`
	// InteractionID is unique within a tenant: the CCaaS's own id.
	InteractionID string `json:"interaction_id"`
	// Revision increases per interaction; the highest one counts and an
	// equal one changes nothing. At least 1.
	Revision int64 `json:"revision"`
	// Model is the classification model, normally one per channel
	// ("voice", "chat", "email").
	Model string `json:"model"`
	// AgentID is who handled the interaction.
	AgentID string `json:"agent_id"`
	// TeamID is the agent's team when the interaction was handled.
	TeamID string `json:"team_id"`
	// Inquiry is the inquiry type (intent) it was classified as.
	Inquiry string `json:"inquiry"`
	// StartedAt and EndedAt bound the contact; EndedAt is the event time of
	// every window and range. EndedAt is never before StartedAt.
	StartedAt time.Time `json:"started_at"`
	EndedAt   time.Time `json:"ended_at"`
	// HandleTimeS is talk + hold + after-contact work, in seconds (0..86400).
	HandleTimeS float64 `json:"handle_time_s"`
	// PredictedSatisfaction and PredictedResolution are probabilities in
	// [0,1]; nil where the model cannot predict them (email).
	PredictedSatisfaction *float64 `json:"predicted_satisfaction,omitempty"`
	PredictedResolution   *float64 `json:"predicted_resolution,omitempty"`
	// Source names the connector that produced the record ("amazon-connect",
	// "genesys-cloud", "twilio-taskrouter", "api", "import", "simulator").
	Source string `json:"source"`
	// SourceRefs holds the raw ids needed to trace the record back to the
	// CCaaS (contact ARN, conversation id, task sid, …). Optional.
	SourceRefs map[string]string `json:"source_refs,omitempty"`
	// Attributes carries anything else a tenant wants to keep: a flat
	// object of scalar values (string, float64, bool or nil once decoded;
	// at most 32 entries). Optional.
	Attributes map[string]any `json:"attributes,omitempty"`
}
