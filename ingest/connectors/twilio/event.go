package twilio

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Event kinds the tracker uses.
const (
	kindOther = iota
	kindAccepted
	kindWrapup
	kindCompleted
	kindReservationEnded // rejected, timeout, canceled, rescinded, failed
	kindTaskCanceled
)

// eventKind classifies a TaskRouter EventType
// (https://www.twilio.com/docs/taskrouter/api/event/reference).
func eventKind(t string) int {
	switch t {
	case "reservation.accepted":
		return kindAccepted
	case "reservation.wrapup", "task.wrapup":
		return kindWrapup
	case "reservation.completed", "task.completed":
		return kindCompleted
	case "reservation.rejected", "reservation.timeout", "reservation.canceled", "reservation.rescinded", "reservation.failed":
		return kindReservationEnded
	case "task.canceled":
		return kindTaskCanceled
	}
	return kindOther
}

// event is one TaskRouter event callback: the form parameters Twilio POSTs
// to the workspace's EventCallbackUrl.
type event struct {
	kind   int
	params url.Values
	at     time.Time // when the event happened
}

func (e *event) get(name string) string { return e.params.Get(name) }

// private lists parameters never kept in pending state (EventDescription
// and WorkspaceName may hold PII and are not used).
var private = []string{"EventDescription", "WorkspaceName"}

// parseEvent decodes a form body.
func parseEvent(body []byte) (*event, error) {
	params, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("not a form body: %w", err)
	}
	if params.Get("EventType") == "" {
		return nil, errors.New("not a TaskRouter event callback: EventType is missing")
	}
	for _, p := range private {
		params.Del(p)
	}
	return &event{kind: eventKind(params.Get("EventType")), params: params}, nil
}

// eventTime reads when the event happened: TimestampMs (milliseconds),
// else Timestamp (seconds, as TaskRouter sends it), else EventDate
// (ISO 8601).
func eventTime(p url.Values) (time.Time, error) {
	if s := p.Get("TimestampMs"); s != "" {
		ms, err := strconv.ParseInt(s, 10, 64)
		if err != nil || ms <= 0 {
			return time.Time{}, fmt.Errorf("TimestampMs %.40q is not a number of milliseconds", s)
		}
		return time.UnixMilli(ms).UTC(), nil
	}
	if s := p.Get("Timestamp"); s != "" {
		sec, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(sec) || sec <= 0 || sec > 1e11 {
			return time.Time{}, fmt.Errorf("Timestamp %.40q is not a number of seconds", s)
		}
		whole, frac := math.Modf(sec)
		return time.Unix(int64(whole), int64(math.Round(frac*1e3))*1e6).UTC(), nil
	}
	if s := p.Get("EventDate"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
		if err != nil {
			return time.Time{}, fmt.Errorf("EventDate %.40q is not an ISO 8601 timestamp", s)
		}
		return t.UTC(), nil
	}
	return time.Time{}, errors.New("the event has no TimestampMs, Timestamp or EventDate")
}
