package outcomes

import (
	"fmt"
	"time"
)

// Target is what a model predicts.
type Target int

// The two targets.
const (
	Satisfaction Target = iota
	Resolution
	numTargets
)

// String returns "satisfaction" or "resolution".
func (t Target) String() string {
	switch t {
	case Satisfaction:
		return "satisfaction"
	case Resolution:
		return "resolution"
	}
	return fmt.Sprintf("Target(%d)", int(t))
}

// Initiation values of a contact (schemas: initiation).
const (
	InitiationInbound  = "inbound"
	InitiationOutbound = "outbound"
	InitiationCallback = "callback"
	InitiationTransfer = "transfer"
)

// Contact is the part of an interaction the labels and the learner read:
// case mix and the customer, never agent or team identity. Optional
// numbers are nil when the feed lacks them.
type Contact struct {
	Tenant string
	// ID is the interaction_id: unique within the tenant.
	ID string
	// Revision is the interaction's revision: Stream keeps the highest
	// (Run takes deduplicated records and ignores it).
	Revision int64
	Model    string
	Inquiry  string
	// Customer is the pseudonymous customer_key; "" when absent.
	Customer string
	// Chain is the chain_id; "" when absent (then the contact is its own
	// chain).
	Chain string
	// Initiation is inbound|outbound|callback|transfer or "" (treated as
	// inbound when looking for repeats).
	Initiation string
	Started    time.Time
	Ended      time.Time
	HandleS    float64
	HoldS      *float64
	ACWS       *float64
	QueueWaitS *float64
	Transfers  *int64
}

// Outcome kinds.
const (
	KindSurvey     = "survey"
	KindResolution = "resolution"
)

// Outcome is an ingested outcome record, deduplicated by the caller (the
// highest revision per tenant and outcome_id; see DedupeOutcomes).
type Outcome struct {
	Tenant        string
	ID            string // outcome_id
	Revision      int64
	InteractionID string
	Kind          string // KindSurvey or KindResolution
	ObservedAt    time.Time
	// Survey answer (KindSurvey).
	Score, ScaleMin, ScaleMax float64
	// Resolved is the observed resolution (KindResolution).
	Resolved bool
}

// Defaults of Config.
const (
	DefaultRepeatDays     = 7
	DefaultOutcomeDays    = 30
	DefaultTransferGap    = 15 * time.Minute
	DefaultWindowDays     = 28
	DefaultMinServeLabels = 30
	DefaultTableBits      = 16
	DefaultBlendK         = 10.0
	DefaultBaseStrength   = 10.0
	DefaultAlpha          = 0.1
	DefaultBeta           = 1.0
	DefaultL1             = 0.5
	DefaultL2             = 1.0
)

// Config are a tenant's outcome settings and the learner's
// hyper-parameters. Zero fields take their defaults (WithDefaults).
type Config struct {
	// RepeatDays is N: a repeat inbound contact within N days makes an
	// interaction unresolved; N days without one make it resolved. Default 7.
	RepeatDays int
	// TransferGap: a contact starting less than this after the previous one
	// ended is a transfer, not a repeat. Default 15 minutes.
	TransferGap time.Duration
	// OutcomeDays: an outcome record observed more than this many days
	// after its interaction ended gives no label (so that no process keeps
	// interactions longer). Default 30.
	OutcomeDays int
	// SatisfiedMin, when set, is the lowest satisfied survey score; nil
	// means scale_max − 1.
	SatisfiedMin *float64
	// WindowDays is the validation and base-rate window. Default 28.
	WindowDays int
	// MinServeLabels is how many validated labels the window needs before
	// the model may be served. Default 30.
	MinServeLabels int64
	// TableBits: the model has 2^TableBits hashed coordinates. Default 16.
	TableBits uint
	// BaseStrength is the smoothing of the per-inquiry base rate toward
	// the tenant's overall rate, in pseudo-labels. Default 10.
	BaseStrength float64
	// Alpha, Beta, L1, L2 are FTRL-Proximal's parameters. Defaults 0.1,
	// 1, 0.5, 1.
	Alpha, Beta, L1, L2 float64
}

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	if c.RepeatDays == 0 {
		c.RepeatDays = DefaultRepeatDays
	}
	if c.OutcomeDays == 0 {
		c.OutcomeDays = DefaultOutcomeDays
	}
	if c.TransferGap == 0 {
		c.TransferGap = DefaultTransferGap
	}
	if c.WindowDays == 0 {
		c.WindowDays = DefaultWindowDays
	}
	if c.MinServeLabels == 0 {
		c.MinServeLabels = DefaultMinServeLabels
	}
	if c.TableBits == 0 {
		c.TableBits = DefaultTableBits
	}
	if c.BaseStrength == 0 {
		c.BaseStrength = DefaultBaseStrength
	}
	if c.Alpha == 0 {
		c.Alpha = DefaultAlpha
	}
	if c.Beta == 0 {
		c.Beta = DefaultBeta
	}
	if c.L1 == 0 {
		c.L1 = DefaultL1
	}
	if c.L2 == 0 {
		c.L2 = DefaultL2
	}
	return c
}

// Validate reports the first setting out of range, naming it.
func (c Config) Validate() error {
	c = c.WithDefaults()
	switch {
	case c.RepeatDays < 1 || c.RepeatDays > 90:
		return fmt.Errorf("repeat_days: must be 1..90 days, got %d", c.RepeatDays)
	case c.OutcomeDays < 1 || c.OutcomeDays > 366:
		return fmt.Errorf("outcome_days: must be 1..366 days, got %d", c.OutcomeDays)
	case c.TransferGap < 0 || c.TransferGap > 24*time.Hour:
		return fmt.Errorf("transfer_gap: must be 0..24h, got %s", c.TransferGap)
	case c.WindowDays < 1 || c.WindowDays > 366:
		return fmt.Errorf("window_days: must be 1..366, got %d", c.WindowDays)
	case c.TableBits < 8 || c.TableBits > 20:
		return fmt.Errorf("table_bits: must be 8..20, got %d", c.TableBits)
	case c.MinServeLabels < 1:
		return fmt.Errorf("min_serve_labels: must be at least 1, got %d", c.MinServeLabels)
	case !(c.BaseStrength > 0) || !(c.Alpha > 0) || !(c.Beta > 0) || !(c.L1 >= 0) || !(c.L2 >= 0):
		return fmt.Errorf("learner parameters: base_strength, alpha and beta must be positive, l1 and l2 non-negative")
	}
	return nil
}

// Satisfied reports whether a survey answer counts as satisfied: score ≥
// scale_max − 1, or ≥ SatisfiedMin when the tenant set it.
func (c Config) Satisfied(score, scaleMax float64) bool {
	if c.SatisfiedMin != nil {
		return score >= *c.SatisfiedMin
	}
	return score >= scaleMax-1
}

// day is the UTC day number of t (days since the Unix epoch, floored).
func day(t time.Time) int64 {
	s := t.Unix()
	d := s / 86400
	if s%86400 < 0 {
		d--
	}
	return d
}

func timeDuration(ns int64) time.Duration { return time.Duration(ns) }
