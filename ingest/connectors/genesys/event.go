package genesys

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/agentpulse/agentpulse/ingest/connectors"
)

// Topic kinds the connector uses.
const (
	kindOther = iota
	kindUserEnd
	kindACW
)

// topicPrefix starts every conversation detail event topic.
const topicPrefix = "v2.detail.events.conversation."

// topicKind classifies a detail-type or topicName such as
// "v2.detail.events.conversation.{id}.user.end".
func topicKind(topic string) int {
	if !strings.HasPrefix(topic, topicPrefix) {
		return kindOther
	}
	switch {
	case strings.HasSuffix(topic, ".user.end"):
		return kindUserEnd
	case strings.HasSuffix(topic, ".acw"):
		return kindACW
	}
	return kindOther
}

// envelope is an Amazon EventBridge event as an API destination delivers it
// (https://docs.aws.amazon.com/eventbridge/latest/ref/overiew-event-structure.html),
// with the Genesys Cloud partner event's detail: {topicName, version,
// eventBody, metadata, timestamp}.
type envelope struct {
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Detail     json.RawMessage `json:"detail"`
}

type detail struct {
	TopicName string          `json:"topicName"`
	EventBody json.RawMessage `json:"eventBody"`
	Metadata  struct {
		CorrelationID string `json:"CorrelationId"`
	} `json:"metadata"`
}

// event is one decoded user.end or acw event body.
type event struct {
	kind          int
	topic         string
	eventID       string // the EventBridge event id
	correlationID string
	// fields is every scalar field of the event body except those that may
	// identify the customer (ani, addressFrom, callbackUserName,
	// callbackNumbers) or hold free text (wrapupNotes, subject), as text.
	fields map[string]string
	// customer holds the fields that identify the customer (ani,
	// addressFrom, externalContactId), only to derive customer_key; they
	// are never copied into an interaction.
	customer map[string]string
}

// customerFields are the event body fields customer_key may come from.
var customerFields = []string{"externalContactId", "ani", "addressFrom"}

// private lists event body fields that are never kept.
var private = map[string]bool{
	"ani": true, "addressFrom": true, "callbackUserName": true, "callbackNumbers": true,
	"wrapupNotes": true, "subject": true,
}

func (e *event) str(name string) string { return e.fields[name] }

// ms returns a non-negative whole number of milliseconds field (absent: 0,
// false).
func (e *event) ms(name string) (float64, bool, error) {
	s, ok := e.fields[name]
	if !ok {
		return 0, false, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > 1e15 {
		return 0, false, fmt.Errorf("%s %.40q is not a number of milliseconds", name, s)
	}
	return v, true, nil
}

// splitEvents returns the events of a delivery: one EventBridge event, or a
// JSON array of them.
func splitEvents(body []byte) ([]json.RawMessage, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, connectors.Malformed("empty body")
	}
	switch body[0] {
	case '{':
		if !json.Valid(body) {
			return nil, connectors.Malformed("not an EventBridge event: invalid JSON")
		}
		return []json.RawMessage{body}, nil
	case '[':
		var evs []json.RawMessage
		if err := json.Unmarshal(body, &evs); err != nil {
			return nil, connectors.Malformed("not a list of EventBridge events: %w", err)
		}
		return evs, nil
	}
	return nil, connectors.Malformed("not an EventBridge event: the body is not a JSON object")
}

// errNotEvent marks an array element that is not an event object.
var errNotEvent = errors.New("not an EventBridge event object")

// parseEvent decodes one EventBridge event. The topic comes from
// detail-type, else detail.topicName; the body from detail.eventBody, else
// detail itself (an input transformer may have flattened it).
func parseEvent(raw json.RawMessage) (*event, error) {
	if len(raw) == 0 || raw[0] != '{' {
		return nil, errNotEvent
	}
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, fmt.Errorf("not an EventBridge event: %w", err)
	}
	ev := &event{eventID: env.ID, topic: env.DetailType}
	body := []byte(env.Detail)
	if len(bytes.TrimSpace(body)) == 0 || bytes.Equal(bytes.TrimSpace(body), []byte("null")) {
		return nil, errors.New("the event has no detail")
	}
	var d detail
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, fmt.Errorf("detail is not an object: %w", err)
	}
	if ev.topic == "" {
		ev.topic = d.TopicName
	}
	ev.correlationID = d.Metadata.CorrelationID
	if len(d.EventBody) > 0 {
		body = d.EventBody
	}
	ev.kind = topicKind(ev.topic)
	if ev.kind == kindOther {
		return ev, nil
	}
	obj := connectors.DecodeObject(body)
	if obj == nil {
		return nil, errors.New("eventBody is not a JSON object")
	}
	ev.fields = make(map[string]string, len(obj))
	for _, k := range customerFields {
		if s, ok := connectors.ScalarText(obj[k]); ok && s != "" {
			if ev.customer == nil {
				ev.customer = map[string]string{}
			}
			ev.customer[k] = s
		}
	}
	if ids, ok := obj["conversationExternalContactIds"].([]any); ok && len(ids) > 0 && ev.customer["externalContactId"] == "" {
		if s, ok := connectors.ScalarText(ids[0]); ok && s != "" {
			if ev.customer == nil {
				ev.customer = map[string]string{}
			}
			ev.customer["externalContactId"] = s
		}
	}
	for k, v := range obj {
		if private[k] {
			continue
		}
		if s, ok := connectors.ScalarText(v); ok {
			ev.fields[k] = s
		}
	}
	return ev, nil
}
