package schemas

import (
	"strconv"
	"time"
)

// Outcome is something observed about a finished interaction after the
// fact: a survey answer or an observed resolution (DESIGN.md §1
// "Outcomes"). outcome.schema.json is its contract; DecodeOutcome reads it
// strictly from JSON, Validate checks a Go value and AppendJSON writes it.
//
// Outcomes travel on the "outcomes" topic keyed like their interaction
// (OutcomeKey: tenant/interaction_id), so that an outcome is in the
// partition of the interaction it is about. Its identity is (TenantID,
// OutcomeID); the highest Revision counts and an equal one changes nothing,
// as for interactions. Every revision of an outcome must name the same
// interaction: the key, hence the partition, comes from it.
//
// The zero value is not valid. Survey and Resolution are shared by copies.
type Outcome struct {
	// TenantID is the contact-center organisation (same rules as
	// Interaction.TenantID).
	TenantID string `json:"tenant_id"`
	// OutcomeID is unique within a tenant: the survey response id, or an
	// id the sender makes up for an observed resolution. 1 to 256
	// printable ASCII characters, no spaces.
	OutcomeID string `json:"outcome_id"`
	// Revision increases per outcome; optional in JSON, where absent means 1.
	Revision int64 `json:"revision"`
	// InteractionID is the interaction the outcome is about.
	InteractionID string `json:"interaction_id"`
	// Kind is OutcomeSurvey or OutcomeResolution; the object of that name
	// is required and the other one must be absent.
	Kind string `json:"kind"`
	// ObservedAt is when the outcome was observed (the survey answered, the
	// resolution decided): its event time.
	ObservedAt time.Time `json:"observed_at"`
	// Source names the connector or program that produced the record, as
	// Interaction.Source. Optional ("" means absent).
	Source string `json:"source,omitempty"`
	// Survey is the answer of a survey (Kind survey).
	Survey *Survey `json:"survey,omitempty"`
	// Resolution is an observed resolution (Kind resolution).
	Resolution *Resolution `json:"resolution,omitempty"`
}

// Survey is a survey answer: Score on the scale [ScaleMin, ScaleMax], such
// as 4 on 1..5. ScaleMin < ScaleMax, ScaleMin <= Score <= ScaleMax, all
// within ±MaxSurveyNumber. Whether it counts as satisfied is the reader's
// rule (DESIGN.md: Score >= ScaleMax - 1 unless the tenant says otherwise).
type Survey struct {
	Score    float64 `json:"score"`
	ScaleMin float64 `json:"scale_min"`
	ScaleMax float64 `json:"scale_max"`
}

// Resolution is an observed resolution: whether the customer's issue was
// resolved, and by which rule the platform decided it (such as
// "genesys-nca" for Genesys Cloud's nNextContactAvoided). An ingested
// resolution overrides the one agentpulse computes from repeat contacts.
type Resolution struct {
	Resolved bool `json:"resolved"`
	// Rule is optional ("" means absent); same characters as Source.
	Rule string `json:"rule,omitempty"`
}

// The values of Outcome.Kind.
const (
	OutcomeSurvey     = "survey"
	OutcomeResolution = "resolution"
)

// MaxSurveyNumber bounds |score|, |scale_min| and |scale_max|.
const MaxSurveyNumber = 1000

// OutcomeKey is the partitioning key of an outcome: tenant/interaction_id,
// the key of its interaction (ingest.Key), so that with the same partition
// count and partitioner an outcome lands in its interaction's partition.
func OutcomeKey(o *Outcome) []byte {
	return []byte(o.TenantID + "/" + o.InteractionID)
}

// AppendJSON appends the JSON encoding of o to dst: byte for byte what
// json.Marshal(o) produces for a valid record (revision always written).
// It does not validate. Safe for concurrent use on an unmodified value.
func (o *Outcome) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"tenant_id":`...)
	dst = appendString(dst, o.TenantID)
	dst = append(dst, `,"outcome_id":`...)
	dst = appendString(dst, o.OutcomeID)
	dst = append(dst, `,"revision":`...)
	dst = strconv.AppendInt(dst, o.Revision, 10)
	dst = append(dst, `,"interaction_id":`...)
	dst = appendString(dst, o.InteractionID)
	dst = append(dst, `,"kind":`...)
	dst = appendString(dst, o.Kind)
	dst = append(dst, `,"observed_at":`...)
	dst = appendTime(dst, o.ObservedAt)
	if o.Source != "" {
		dst = append(dst, `,"source":`...)
		dst = appendString(dst, o.Source)
	}
	if s := o.Survey; s != nil {
		dst = append(dst, `,"survey":{"score":`...)
		dst = appendFloat(dst, s.Score)
		dst = append(dst, `,"scale_min":`...)
		dst = appendFloat(dst, s.ScaleMin)
		dst = append(dst, `,"scale_max":`...)
		dst = appendFloat(dst, s.ScaleMax)
		dst = append(dst, '}')
	}
	if r := o.Resolution; r != nil {
		dst = append(dst, `,"resolution":{"resolved":`...)
		dst = strconv.AppendBool(dst, r.Resolved)
		if r.Rule != "" {
			dst = append(dst, `,"rule":`...)
			dst = appendString(dst, r.Rule)
		}
		dst = append(dst, '}')
	}
	return append(dst, '}')
}

// Validate checks o against every rule of outcome.schema.json and returns
// nil or [ValidationErrors] naming each broken field, as DecodeOutcome
// would for its JSON (it judges exactly that: Revision 0 is out of range,
// NaN is not a number, a time is judged as AppendJSON writes it). It does
// not modify o. Safe for concurrent use on an unmodified value.
func (o *Outcome) Validate() error {
	_, err := DecodeOutcome(o.AppendJSON(nil))
	return err
}
