package genesys

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/agentpulse/agentpulse/ingest/connectors"
	"github.com/agentpulse/agentpulse/schemas"
)

// Revisions of a Genesys interaction.
const (
	// RevisionTalk is emitted on user.end, before after-contact work is
	// known: handle time is talk + hold, attribute acw_pending is true.
	RevisionTalk = 1
	// RevisionFinal is emitted when the acw joins (handle time includes
	// wrapupDurationMs) or when the wait for it times out (attribute
	// acw_missing is true).
	RevisionFinal = 2
)

// Attributes the connector sets.
const (
	AttrACWPending = "acw_pending"
	AttrACWMissing = "acw_missing"
)

// join holds the halves of one interaction.
type join struct {
	end, acw *event
	missing  bool // the wait for the acw timed out or was cut short
}

// interactionID is "<conversationId>:<participantId>" (the userId when the
// event has no participantId): a conversation that several agents handle
// (transfers, consults) yields one interaction per agent participant.
func interactionID(e *event) string {
	p := e.str("participantId")
	if p == "" {
		p = e.str("userId")
	}
	return e.str("conversationId") + ":" + p
}

// build makes the interaction of j, which has its user.end.
func build(rules *connectors.Rules, secret []byte, tenant string, j join) (*schemas.Interaction, error) {
	end := j.end
	endMs, ok, err := end.ms("eventTime")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errors.New("the user.end event has no eventTime")
	}
	talk, _, err := end.ms("interactingDurationMs")
	if err != nil {
		return nil, err
	}
	hold, _, err := end.ms("heldDurationMs")
	if err != nil {
		return nil, err
	}
	agent := end.str("userId")
	if agent == "" && j.acw != nil {
		agent = j.acw.str("userId")
	}
	if !schemas.ValidID(agent) {
		return nil, fmt.Errorf("userId %.40q is not a valid agent id", agent)
	}
	ended := time.UnixMilli(int64(endMs)).UTC()
	started := ended.Add(-time.Duration(talk+hold) * time.Millisecond)
	attrs := map[string]any{"talk_s": connectors.Seconds(talk), "hold_s": connectors.Seconds(hold)}
	handle := talk + hold
	revision := int64(RevisionFinal)
	switch {
	case j.acw != nil:
		acw, _, err := j.acw.ms("wrapupDurationMs")
		if err != nil {
			return nil, err
		}
		handle += acw
		attrs["acw_s"] = connectors.Seconds(acw)
		if code := j.acw.str("wrapupCode"); code != "" {
			attrs["wrapup_code"] = connectors.Truncate(code, schemas.MaxAttributeStringLength)
		}
	case j.missing:
		attrs[AttrACWMissing] = true
	default:
		revision = RevisionTalk
		attrs[AttrACWPending] = true
	}
	refs := map[string]string{"conversation_id": end.str("conversationId")}
	for name, field := range map[string]string{"participant_id": "participantId", "session_id": "sessionId", "queue_id": "queueId", "user_id": "userId"} {
		if v := end.str(field); v != "" {
			refs[name] = v
		}
	}
	if end.correlationID != "" {
		refs["correlation_id"] = end.correlationID
	}
	d := connectors.Draft{
		Tenant:        tenant,
		InteractionID: interactionID(end),
		Revision:      revision,
		AgentID:       agent,
		StartedAt:     started,
		EndedAt:       ended,
		HandleTimeS:   connectors.Seconds(handle),
		Source:        Name,
		SourceRefs:    refs,
		Attributes:    attrs,
	}
	inputs(&d, secret, end, hold)
	return d.Finish(rules, fields(j))
}

// inputs fills the inputs of learned outcomes from the user.end event:
// customer_key from externalContactId (or the first of
// conversationExternalContactIds), else the ani (voice and callbacks: a
// phone number), else addressFrom (e-mail: an address; messaging: a phone
// number where it is one); chain_id from conversationId; initiation from
// direction (a CALLBACK media type is a callback); hold_s from
// heldDurationMs.
func inputs(d *connectors.Draft, secret []byte, end *event, holdMs float64) {
	media := strings.ToUpper(end.str("mediaType"))
	ids := []connectors.CustomerID{{Kind: connectors.IDGenesysContact, ID: end.customer["externalContactId"]}}
	switch media {
	case "EMAIL":
		ids = append(ids, connectors.CustomerID{Kind: connectors.IDEmail, ID: end.customer["addressFrom"]})
	default:
		ids = append(ids, connectors.CustomerID{Kind: connectors.IDPhone, ID: end.customer["ani"]},
			connectors.CustomerID{Kind: connectors.IDPhone, ID: end.customer["addressFrom"]})
	}
	d.CustomerKey = connectors.FirstCustomerKey(secret, ids...)
	d.CustomerSecret = secret
	d.ChainID = connectors.ChainID(end.str("conversationId"))
	switch {
	case media == "CALLBACK":
		d.Initiation = schemas.InitiationCallback
	case strings.EqualFold(end.str("direction"), "INBOUND"):
		d.Initiation = schemas.InitiationInbound
	case strings.EqualFold(end.str("direction"), "OUTBOUND"):
		d.Initiation = schemas.InitiationOutbound
	}
	if h := connectors.Seconds(holdMs); h <= schemas.MaxHoldS {
		d.HoldS = &h
	}
}

// fields exposes a join to the mapping rules (the table in doc.go).
type fields join

// Field implements connectors.Fields. The acw's value wins where both
// halves have one.
func (f fields) Field(name string) (string, bool) {
	get := func(key string) (string, bool) {
		for _, e := range [...]*event{f.acw, f.end} {
			if e != nil {
				if v := e.str(key); v != "" {
					return v, true
				}
			}
		}
		return "", false
	}
	switch name {
	case connectors.FieldChannel:
		return get("mediaType")
	case connectors.FieldQueue, connectors.FieldQueueID:
		return get("queueId")
	case connectors.FieldWrapup:
		if f.acw != nil {
			v := f.acw.str("wrapupCode")
			return v, v != ""
		}
		return "", false
	case connectors.FieldDirection:
		return get("direction")
	case connectors.FieldDivision:
		return get("divisionId")
	case connectors.FieldAgent:
		return get("userId")
	}
	if key, ok := strings.CutPrefix(name, connectors.PrefixRaw); ok {
		return get(key)
	}
	return "", false
}
