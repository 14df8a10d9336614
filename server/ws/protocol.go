package ws

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/agentpulse/agentpulse/schemas"
)

// Channel kinds of API.md.
const (
	KindAgent     = "agent"
	KindTeam      = "team"
	KindPlan      = "plan"
	KindWallboard = "wallboard"
)

// Channel is a parsed channel name, kind:id. Channels are scoped by the
// token's tenant inside the hub: tenant A's agent:a1 is not tenant B's.
type Channel struct {
	// Kind is KindAgent, KindTeam, KindPlan or KindWallboard.
	Kind string
	// ID is the agent, team or plan id, or the wallboard's model.
	ID string
}

// String returns kind:id.
func (c Channel) String() string { return c.Kind + ":" + c.ID }

// ParseChannel parses kind:id. Agent and team ids follow the canonical id
// rule (1 to 128 of A-Z a-z 0-9 . _ @ -, starting with a letter or digit);
// a plan id is 1 to 128 of the same bytes, any first (plan ids are random
// URL-safe base64: one in 32 begins with - or _); a wallboard's id is a
// model (1 to 32 of a-z 0-9 _ -, starting with a letter).
func ParseChannel(s string) (Channel, error) {
	kind, id, ok := strings.Cut(s, ":")
	if !ok {
		return Channel{}, fmt.Errorf("channel %s is not kind:id (for example agent:a1)", clip(s))
	}
	switch kind {
	case KindPlan:
		if !schemas.ValidPlanID(id) {
			return Channel{}, fmt.Errorf("channel %s: the plan id must be 1 to 128 of A-Z a-z 0-9 . _ @ -", clip(s))
		}
	case KindAgent, KindTeam:
		if !schemas.ValidID(id) {
			return Channel{}, fmt.Errorf("channel %s: the %s id must be 1 to 128 of A-Z a-z 0-9 . _ @ -, starting with a letter or digit", clip(s), kind)
		}
	case KindWallboard:
		if !schemas.ValidModel(id) {
			return Channel{}, fmt.Errorf("channel %s: the wallboard's model must be 1 to 32 of a-z 0-9 _ -, starting with a letter", clip(s))
		}
	default:
		return Channel{}, fmt.Errorf("channel %s: unknown kind %s, want agent, team, plan or wallboard", clip(s), clip(kind))
	}
	return Channel{Kind: kind, ID: id}, nil
}

// Client operations.
const (
	OpSubscribe   = "subscribe"
	OpUnsubscribe = "unsubscribe"
)

// ClientMessage is one message a client sends:
// {"op": "subscribe"|"unsubscribe", "channel": "kind:id"} and, to resume,
// "epoch" and "since" (the last seq the client holds) together.
type ClientMessage struct {
	Op      string  `json:"op"`
	Channel string  `json:"channel"`
	Epoch   string  `json:"epoch,omitempty"`
	Since   *uint64 `json:"since,omitempty"`
}

// Resume reports whether m asks to resume (epoch and since given).
func (m ClientMessage) Resume() bool { return m.Epoch != "" && m.Since != nil }

// ProtocolError is a refusal of one client message: Code is one of the
// ErrCode* of disconnect.go, Channel the channel it concerns ("" when the
// message named none), Message a sentence for people.
type ProtocolError struct {
	Code    string
	Channel string
	Message string
}

func (e *ProtocolError) Error() string { return e.Code + ": " + e.Message }

// DecodeClientMessage parses and checks one client message: a single JSON
// object with op and channel (strings), optional epoch (string) and since
// (a non-negative integer), given together, and no other field. It returns
// the message and its parsed channel, or a *ProtocolError.
func DecodeClientMessage(b []byte) (ClientMessage, Channel, error) {
	var m ClientMessage
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return ClientMessage{}, Channel{}, badMessage("", decodeReason(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return ClientMessage{}, Channel{}, badMessage(m.Channel, "more than one JSON value in one message")
	}
	switch m.Op {
	case OpSubscribe, OpUnsubscribe:
	case "":
		return ClientMessage{}, Channel{}, badMessage(m.Channel, `"op" is required: subscribe or unsubscribe`)
	default:
		return ClientMessage{}, Channel{}, &ProtocolError{Code: ErrCodeUnknownOp, Channel: safeChannel(m.Channel),
			Message: "op " + clip(m.Op) + " is unknown; want subscribe or unsubscribe"}
	}
	if m.Channel == "" {
		return ClientMessage{}, Channel{}, badMessage("", `"channel" is required (for example agent:a1)`)
	}
	ch, err := ParseChannel(m.Channel)
	if err != nil {
		return ClientMessage{}, Channel{}, &ProtocolError{Code: ErrCodeBadChannel, Message: err.Error()}
	}
	if (m.Epoch == "") != (m.Since == nil) {
		return ClientMessage{}, Channel{}, badMessage(m.Channel, `"epoch" and "since" resume together: give both or neither`)
	}
	if m.Op == OpUnsubscribe && m.Since != nil {
		return ClientMessage{}, Channel{}, badMessage(m.Channel, `unsubscribe takes no "epoch" or "since"`)
	}
	if len(m.Epoch) > 64 {
		return ClientMessage{}, Channel{}, badMessage(m.Channel, `"epoch" is longer than 64 bytes`)
	}
	return m, ch, nil
}

func badMessage(channel, msg string) *ProtocolError {
	return &ProtocolError{Code: ErrCodeBadMessage, Channel: safeChannel(channel), Message: msg}
}

// safeChannel echoes a client's channel in an error only when it parses.
func safeChannel(s string) string {
	if _, err := ParseChannel(s); err != nil {
		return ""
	}
	return s
}

// decodeReason words a JSON decoding error for the client.
func decodeReason(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		want := map[string]string{"op": "a string", "channel": "a string", "epoch": "a string", "since": "a non-negative integer"}[te.Field]
		if want == "" {
			want = "a JSON object"
		}
		return fmt.Sprintf("%q must be %s", te.Field, want)
	case errors.As(err, &se), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "not a JSON object: " + err.Error()
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ") + "; want op, channel, epoch, since"
	}
	return "not a protocol message: " + err.Error()
}

// clip quotes s for a message, cut to 48 bytes.
func clip(s string) string {
	if len(s) > 48 {
		s = s[:48] + "…"
	}
	return strconv.Quote(s)
}

// Server message types.
const (
	TypeSnapshot = "snapshot"
	TypeScore    = "score"
	TypePlan     = "plan"
	// TypeNotification carries a server/notify Notification on the
	// team:{id} or agent:{id} channel of its audience.
	TypeNotification = "notification"
)

// appendFrame encodes a server message:
// {"channel":…,"epoch":…,"seq":…,"type":…,"data":…}; data is JSON.
func appendFrame(dst []byte, channel, epoch string, seq uint64, typ string, data []byte) []byte {
	dst = append(dst, `{"channel":`...)
	dst = schemas.AppendJSONString(dst, channel)
	dst = append(dst, `,"epoch":`...)
	dst = schemas.AppendJSONString(dst, epoch)
	dst = append(dst, `,"seq":`...)
	dst = strconv.AppendUint(dst, seq, 10)
	dst = append(dst, `,"type":`...)
	dst = schemas.AppendJSONString(dst, typ)
	dst = append(dst, `,"data":`...)
	dst = append(dst, data...)
	return append(dst, '}')
}

// errorMessage is {"op":"error","channel":…,"error":code,"message":…}.
type errorMessage struct {
	Op      string `json:"op"`
	Channel string `json:"channel"`
	Error   string `json:"error"`
	Message string `json:"message,omitempty"`
}

// ackMessage is {"op":"unsubscribed","channel":…}.
type ackMessage struct {
	Op      string `json:"op"`
	Channel string `json:"channel"`
}

func encodeError(e *ProtocolError) []byte {
	b, _ := json.Marshal(errorMessage{Op: "error", Channel: e.Channel, Error: e.Code, Message: e.Message})
	return b
}

// marshalData encodes a message's data; json.RawMessage is used as is.
func marshalData(data any) ([]byte, error) {
	if raw, ok := data.(json.RawMessage); ok {
		return raw, nil
	}
	return json.Marshal(data)
}
