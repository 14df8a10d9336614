package schemas

import "time"

// Interaction is one finished contact handled by one agent: the canonical
// record every connector maps into and every store and view reads.
// interaction.schema.json is its contract; Validate enforces the same rules,
// DecodeInteraction reads it strictly from JSON and AppendJSON writes it
// (the same bytes as encoding/json, without reflection).
//
// The zero value is not valid. An Interaction is a plain value: copying it
// is safe, but the pointer fields are shared by copies.
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
	// HoldS is the time the customer spent on hold, in seconds (0..86400);
	// nil where the feed does not say. Part of HandleTimeS.
	HoldS *float64 `json:"hold_s,omitempty"`
	// QueueWaitS is how long the contact waited in queue before an agent
	// took it, in seconds (0..2592000, 30 days); nil where unknown.
	QueueWaitS *float64 `json:"queue_wait_s,omitempty"`
	// Transfers is how many times the contact was transferred (0..1000);
	// nil where unknown.
	Transfers *int64 `json:"transfers,omitempty"`
	// CustomerKey identifies the customer pseudonymously (connectors derive
	// it with a per-tenant HMAC; the raw identifier is never stored): 1 to
	// 128 printable ASCII characters, no spaces. "" means absent.
	CustomerKey string `json:"customer_key,omitempty"`
	// ChainID groups the legs of one contact (Connect InitialContactId,
	// Genesys conversationId): 1 to 256 printable ASCII characters, no
	// spaces. "" means absent.
	ChainID string `json:"chain_id,omitempty"`
	// Initiation says how the contact began: one of the Initiation*
	// constants. "" means absent.
	Initiation string `json:"initiation,omitempty"`
	// Source names the connector that produced the record ("amazon-connect",
	// "genesys-cloud", "twilio-taskrouter", "api", "import", "simulator").
	Source string `json:"source"`
	// SourceRefs holds the raw ids needed to trace the record back to the
	// CCaaS (contact ARN, conversation id, task sid, …), as canonical JSON
	// text ([MakeSourceRefs] builds it from a map). Optional.
	SourceRefs SourceRefs `json:"source_refs,omitzero"`
	// Attributes carries anything else a tenant wants to keep: a flat
	// object of scalar values (at most 32 entries), as canonical JSON text
	// ([MakeAttributes] builds it from a map). Optional.
	Attributes Attributes `json:"attributes,omitzero"`
}

// The values of Interaction.Initiation.
const (
	InitiationInbound  = "inbound"  // the customer contacted the center
	InitiationOutbound = "outbound" // the center contacted the customer
	InitiationCallback = "callback" // a callback the customer asked for
	InitiationTransfer = "transfer" // a leg created by transferring another one
)

// Clone returns a deep copy of it: the copy shares no pointer with
// it, so either may be modified without affecting the other. Safe for
// concurrent use on an unmodified value.
func (it *Interaction) Clone() Interaction {
	c := *it
	for _, p := range []**float64{&c.PredictedSatisfaction, &c.PredictedResolution, &c.HoldS, &c.QueueWaitS} {
		if *p != nil {
			v := **p
			*p = &v
		}
	}
	if c.Transfers != nil {
		v := *c.Transfers
		c.Transfers = &v
	}
	return c
}
