package connectors

import (
	"fmt"
	"strings"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
)

// Draft is what a connector extracted from one record before the tenant's
// mapping is applied: everything of the canonical interaction except
// model, inquiry, team and predictions.
type Draft struct {
	Tenant, InteractionID string
	Revision              int64
	AgentID               string
	StartedAt, EndedAt    time.Time
	HandleTimeS           float64
	Source                string
	SourceRefs            map[string]string
	Attributes            map[string]any
	// The optional inputs of learned outcomes; zero values are absent.
	CustomerKey, ChainID, Initiation string
	HoldS, QueueWaitS                *float64
	Transfers                        *int64
	// CustomerSecret is the tenant's customer_key_secret, for the
	// tenant's "customer" mapping rules; never copied.
	CustomerSecret []byte
}

// AttrMappingWarning is the attribute that carries [Mapped.Warnings].
const AttrMappingWarning = "mapping_warning"

// Finish applies the tenant's rules to the record's fields, completes the
// interaction and validates it. The error (for an unknown channel or a
// broken schema rule) names the field and matches [ErrUnmappable]; for a
// broken rule it also wraps the schemas.ValidationErrors.
func (d *Draft) Finish(rules *Rules, f Fields) (*schemas.Interaction, error) {
	m, err := rules.Apply(f)
	if err != nil {
		return nil, unmappable(err)
	}
	it := &schemas.Interaction{
		TenantID:              d.Tenant,
		InteractionID:         d.InteractionID,
		Revision:              d.Revision,
		Model:                 m.Model,
		AgentID:               d.AgentID,
		TeamID:                m.TeamID,
		Inquiry:               m.Inquiry,
		StartedAt:             d.StartedAt,
		EndedAt:               d.EndedAt,
		HandleTimeS:           d.HandleTimeS,
		PredictedSatisfaction: m.Satisfaction,
		PredictedResolution:   m.Resolution,
		Source:                d.Source,
		CustomerKey:           d.CustomerKey,
		ChainID:               d.ChainID,
		Initiation:            d.Initiation,
		HoldS:                 d.HoldS,
		QueueWaitS:            d.QueueWaitS,
		Transfers:             d.Transfers,
	}
	if k := mappedCustomerKey(rules.Customer, d.CustomerSecret, f); k != "" {
		it.CustomerKey = k
	}
	attrs := d.Attributes
	if len(m.Warnings) > 0 {
		attrs = make(map[string]any, len(d.Attributes)+1)
		for k, v := range d.Attributes {
			attrs[k] = v
		}
		attrs[AttrMappingWarning] = Truncate(strings.Join(m.Warnings, "; "), schemas.MaxAttributeStringLength)
	}
	// source_refs and attributes come last in the schema's field order, so
	// their errors follow the other fields' as Validate would order them.
	var errs schemas.ValidationErrors
	if err := it.Validate(); err != nil {
		errs = append(errs, err.(schemas.ValidationErrors)...)
	}
	var refsErr, attrsErr error
	it.SourceRefs, refsErr = schemas.MakeSourceRefs(d.SourceRefs)
	it.Attributes, attrsErr = schemas.MakeAttributes(attrs)
	for _, err := range []error{refsErr, attrsErr} {
		if err != nil {
			errs = append(errs, err.(schemas.ValidationErrors)...)
		}
	}
	if len(errs) > 0 {
		if len(errs) > schemas.MaxErrors {
			errs = errs[:schemas.MaxErrors]
		}
		return nil, unmappable(fmt.Errorf("the mapped interaction breaks the schema: %w", errs))
	}
	return it, nil
}

// Seconds converts a duration in milliseconds to seconds.
func Seconds(ms float64) float64 { return ms / 1000 }
