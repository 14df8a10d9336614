package genesys

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/agentpulse/agentpulse/ingest/connectors"
	"github.com/agentpulse/agentpulse/schemas"
)

// A conversation details export: the body of
// POST /api/v2/analytics/conversations/details/query, or a page of an
// analytics conversation details job's results, {"conversations": [...]},
// POSTed to the connector by the tenant's scheduled exporter with the same
// API destination credentials. Its surveys[] and resolutions[] become
// outcome records (the analytics models AnalyticsConversation,
// AnalyticsSurvey and AnalyticsResolution of the platform API).
type detailsExport struct {
	Conversations []json.RawMessage `json:"conversations"`
}

type conversationDetails struct {
	ConversationID string `json:"conversationId"`
	Participants   []struct {
		ParticipantID string `json:"participantId"`
		Purpose       string `json:"purpose"`
		UserID        string `json:"userId"`
	} `json:"participants"`
	Surveys []struct {
		SurveyID            string   `json:"surveyId"`
		SurveyStatus        string   `json:"surveyStatus"`
		SurveyPromoterScore *float64 `json:"surveyPromoterScore"`
		OSurveyTotalScore   *float64 `json:"oSurveyTotalScore"`
		SurveyCompletedDate string   `json:"surveyCompletedDate"`
		EventTime           string   `json:"eventTime"`
		UserID              string   `json:"userId"`
	} `json:"surveys"`
	Resolutions []struct {
		EventTime           string `json:"eventTime"`
		UserID              string `json:"userId"`
		NNextContactAvoided *int64 `json:"nNextContactAvoided"`
		// GetnNextContactAvoided is the name older API versions used.
		GetnNextContactAvoided *int64 `json:"getnNextContactAvoided"`
	} `json:"resolutions"`
}

// ResolutionRule is the Rule of the resolutions Genesys decides with its
// next-contact-avoidance metric.
const ResolutionRule = "genesys-nca"

// isDetailsExport reports whether body is a conversation details export
// rather than EventBridge events.
func isDetailsExport(body []byte) bool {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return false
	}
	var probe struct {
		Conversations json.RawMessage `json:"conversations"`
		DetailType    json.RawMessage `json:"detail-type"`
	}
	return json.Unmarshal(body, &probe) == nil && probe.Conversations != nil && probe.DetailType == nil
}

// mapDetails maps every conversation of an export to one Result carrying
// its outcomes (none for a conversation without finished surveys or
// resolutions: skipped).
func mapDetails(tenant string, body []byte) ([]connectors.Result, error) {
	var ex detailsExport
	if err := json.Unmarshal(body, &ex); err != nil {
		return nil, connectors.Malformed("not a conversation details export: %w", err)
	}
	out := make([]connectors.Result, 0, len(ex.Conversations))
	for i, raw := range ex.Conversations {
		ref := "conversations[" + strconv.Itoa(i) + "]"
		var c conversationDetails
		if err := json.Unmarshal(raw, &c); err != nil {
			out = append(out, connectors.Failed(tenant, ref, fmt.Errorf("not a conversation: %w", err)))
			continue
		}
		ref += " conversation " + c.ConversationID
		outs, err := detailsOutcomes(tenant, &c)
		switch {
		case err != nil:
			out = append(out, connectors.Failed(tenant, ref, err))
		case len(outs) == 0:
			out = append(out, connectors.Skip(tenant, ref, SkipNoOutcome))
		default:
			out = append(out, connectors.Result{Tenant: tenant, Ref: ref, Outcomes: outs})
		}
	}
	return out, nil
}

// SkipNoOutcome: a conversation of a details export with no finished survey
// and no resolution.
const SkipNoOutcome = "no_outcome"

// detailsOutcomes returns the outcomes of one conversation. Each is about
// the interaction of the agent it names (userId): "<conversationId>:
// <participantId>" of that user's last agent participant, the id user.end
// events give the same interaction. A survey counts once finished, scored
// by its NPS (0..10) or else its total score (0..100), observed at its
// completion; a resolution is resolved when nNextContactAvoided > 0.
func detailsOutcomes(tenant string, c *conversationDetails) ([]schemas.Outcome, error) {
	if c.ConversationID == "" {
		return nil, errors.New("the conversation has no conversationId")
	}
	agentPart := map[string]string{}
	for _, p := range c.Participants {
		if p.Purpose == "agent" && p.UserID != "" && p.ParticipantID != "" {
			agentPart[p.UserID] = p.ParticipantID
		}
	}
	interaction := func(user string) (string, bool) {
		p, ok := agentPart[user]
		return c.ConversationID + ":" + p, ok
	}
	var out []schemas.Outcome
	var errs []error
	for i, s := range c.Surveys {
		if s.SurveyStatus != "Finished" {
			continue
		}
		id, ok := interaction(s.UserID)
		if !ok {
			errs = append(errs, fmt.Errorf("surveys[%d]: userId %.40q is no agent participant of the conversation", i, s.UserID))
			continue
		}
		sv := &schemas.Survey{ScaleMin: 0, ScaleMax: 10}
		switch {
		case s.SurveyPromoterScore != nil:
			sv.Score = *s.SurveyPromoterScore
		case s.OSurveyTotalScore != nil:
			sv.Score, sv.ScaleMax = *s.OSurveyTotalScore, 100
		default:
			continue
		}
		at, err := detailsTime(fmt.Sprintf("surveys[%d].surveyCompletedDate", i), s.SurveyCompletedDate, s.EventTime)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, schemas.Outcome{TenantID: tenant, OutcomeID: "genesys-survey-" + s.SurveyID, Revision: 1,
			InteractionID: id, Kind: schemas.OutcomeSurvey, ObservedAt: at, Source: Name, Survey: sv})
	}
	for i, r := range c.Resolutions {
		n := r.NNextContactAvoided
		if n == nil {
			n = r.GetnNextContactAvoided
		}
		if n == nil {
			continue
		}
		id, ok := interaction(r.UserID)
		if !ok {
			errs = append(errs, fmt.Errorf("resolutions[%d]: userId %.40q is no agent participant of the conversation", i, r.UserID))
			continue
		}
		at, err := detailsTime(fmt.Sprintf("resolutions[%d].eventTime", i), r.EventTime, "")
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, schemas.Outcome{TenantID: tenant, OutcomeID: "genesys-resolution-" + id, Revision: 1,
			InteractionID: id, Kind: schemas.OutcomeResolution, ObservedAt: at, Source: Name,
			Resolution: &schemas.Resolution{Resolved: *n > 0, Rule: ResolutionRule}})
	}
	valid := out[:0]
	for _, o := range out {
		if err := o.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("outcome %s breaks the schema: %w", o.OutcomeID, err))
			continue
		}
		valid = append(valid, o)
	}
	if len(valid) == 0 && len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return valid, nil
}

// detailsTime parses an ISO-8601 time of the analytics API, falling back
// to a second field.
func detailsTime(field, s, fallback string) (time.Time, error) {
	if s == "" {
		s = fallback
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %.40q is not a time like 2026-03-02T09:15:45.120Z", field, s)
	}
	return t.UTC(), nil
}
