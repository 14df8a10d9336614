package simulator

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Defaults of Config, the same as the flags of `agentpulse simulate`.
const (
	DefaultAgents   = 300
	DefaultDays     = 90
	DefaultSeed     = 1
	DefaultTenants  = 1
	DefaultTeamSize = 12
)

// Limits Validate enforces.
const (
	MaxAgents   = 200_000 // per tenant
	MaxTotal    = 1_000_000
	MaxDays     = 3_660
	MaxTenants  = 1_000
	MaxTeamSize = 1_000
)

// The simulated period must stay inside the years the canonical schema
// accepts (2000–2099), with a day of margin for shifts that start before
// the period and for late faults.
var (
	minPeriodStart = time.Date(2000, 1, 2, 0, 0, 0, 0, time.UTC)
	maxPeriodEnd   = time.Date(2099, 12, 25, 0, 0, 0, 0, time.UTC)
)

// ErrInvalidConfig is returned (wrapped in a *FieldError) when a Config
// breaks a rule; errors.Is(err, ErrInvalidConfig) tells it apart from I/O
// errors.
var ErrInvalidConfig = errors.New("invalid simulator configuration")

// FieldError is one broken rule of a Config. Field is the setting's name,
// which is also its flag of `agentpulse simulate` ("agents",
// "duplicate-rate", …), so the message can be shown to an operator as is.
type FieldError struct {
	Field string // flag name, without dashes
	Rule  string // the rule in words, with the offending value
}

func (e *FieldError) Error() string { return "--" + e.Field + ": " + e.Rule }

// Unwrap makes every FieldError match ErrInvalidConfig.
func (e *FieldError) Unwrap() error { return ErrInvalidConfig }

// Config describes one simulated contact center. The zero value is not
// valid: start from DefaultConfig.
type Config struct {
	// Agents is the number of agents of each tenant. 1..MaxAgents, and
	// Agents × Tenants at most MaxTotal; default 300.
	Agents int
	// Days is the length of the simulated period, in 24-hour days ending at
	// End. 1..MaxDays; default 90.
	Days int
	// Seed selects the simulated world: the same Config (Seed and End
	// included) always produces the same records in the same order.
	Seed int64
	// Tenants is the number of tenants, named "acme", "globex", … and then
	// "tenant-N". 1..MaxTenants; default 1.
	Tenants int
	// End is where the simulated period ends (exclusive): every record's
	// ended_at is in [End − Days×24h, End). It is truncated to the second.
	// Required; the command defaults it to the current hour.
	End time.Time
	// TeamSize is the number of agents per team; a tenant's agents are
	// split into teams of as equal size as possible, none larger.
	// 1..MaxTeamSize; default 12.
	TeamSize int
	// DuplicateRate is the fraction of records re-emitted, byte-identical,
	// later in the stream (a redelivery). 0..1; default 0.
	DuplicateRate float64
	// RevisionRate is the fraction of records followed later in the stream
	// by a corrected record with revision 2 (a longer handle time from late
	// wrap-up, or a reclassified inquiry). 0..1; default 0.
	RevisionRate float64
	// LateRate is the fraction of records delivered late: moved later in
	// the stream by one hour to three days, ended_at unchanged. 0..1;
	// default 0.
	LateRate float64
	// NoPredictions leaves predicted_satisfaction and predicted_resolution
	// out of every record, as real feeds do: satisfaction and resolution
	// must then be learned from surveys and repeat contacts. Default false
	// (voice and chat records carry predictions).
	NoPredictions bool
}

// DefaultConfig returns the defaults with the period ending at end.
func DefaultConfig(end time.Time) Config {
	return Config{
		Agents:   DefaultAgents,
		Days:     DefaultDays,
		Seed:     DefaultSeed,
		Tenants:  DefaultTenants,
		End:      end,
		TeamSize: DefaultTeamSize,
	}
}

// Validate reports every broken rule at once (errors.Join of *FieldError),
// or nil.
func (c Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &FieldError{Field: field, Rule: fmt.Sprintf(format, args...)})
	}
	if c.Agents < 1 || c.Agents > MaxAgents {
		bad("agents", "must be between 1 and %d, got %d", MaxAgents, c.Agents)
	}
	if c.Days < 1 || c.Days > MaxDays {
		bad("days", "must be between 1 and %d, got %d", MaxDays, c.Days)
	}
	if c.Tenants < 1 || c.Tenants > MaxTenants {
		bad("tenants", "must be between 1 and %d, got %d", MaxTenants, c.Tenants)
	} else if c.Agents >= 1 && c.Agents <= MaxAgents && c.Agents*c.Tenants > MaxTotal {
		bad("tenants", "times --agents (%d per tenant) must not exceed %d agents in all, got %d tenants", c.Agents, MaxTotal, c.Tenants)
	}
	if c.TeamSize < 1 || c.TeamSize > MaxTeamSize {
		bad("team-size", "must be between 1 and %d, got %d", MaxTeamSize, c.TeamSize)
	}
	for _, r := range []struct {
		field string
		v     float64
	}{{"duplicate-rate", c.DuplicateRate}, {"revision-rate", c.RevisionRate}, {"late-rate", c.LateRate}} {
		if math.IsNaN(r.v) || r.v < 0 || r.v > 1 {
			bad(r.field, "must be a fraction between 0 and 1, got %v", r.v)
		}
	}
	switch {
	case c.End.IsZero():
		bad("end", "is required (an RFC 3339 time such as 2026-11-26T00:00:00Z)")
	case c.End.After(maxPeriodEnd):
		bad("end", "must not be after %s, got %s", maxPeriodEnd.Format(time.RFC3339), c.End.Format(time.RFC3339))
	case c.Days >= 1 && c.Days <= MaxDays && c.End.Add(-time.Duration(c.Days)*24*time.Hour).Before(minPeriodStart):
		bad("end", "minus --days (%d) must not be before %s, got --end %s", c.Days, minPeriodStart.Format(time.RFC3339), c.End.Format(time.RFC3339))
	}
	return errors.Join(errs...)
}

// tenantNames are the first tenants' ids; later ones are "tenant-N".
var tenantNames = []string{"acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka"}

// tenantOffsets are the tenants' fixed UTC offsets in hours (no daylight
// saving): the local clock the arrival curve and shifts follow.
var tenantOffsets = []int{0, -5, 1, 9, -8, -3, 2, 10}

// tenantID returns the id of the i-th tenant (0-based).
func tenantID(i int) string {
	if i < len(tenantNames) {
		return tenantNames[i]
	}
	return fmt.Sprintf("tenant-%d", i+1)
}

// TenantIDs returns the ids of the first n tenants, in order.
func TenantIDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = tenantID(i)
	}
	return out
}
