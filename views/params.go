package views

import "fmt"

// Default parameter values (DESIGN.md §1).
const (
	DefaultMinVolume int64   = 5
	DefaultFloor     float64 = 0.05
)

// Params are the tenant-configurable knobs of every figure.
type Params struct {
	// MinVolume is the fewest interactions an agent needs on an inquiry (or
	// in a model, for model-level labels) to belong to the population, to
	// be labelled, and to have an impact. Default 5; zero means the default.
	MinVolume int64 `json:"min_volume"`
	// Floor is the lowest value an outcome mean (psat, pres) may take in
	// the AES denominator, so that AES stays finite. Default 0.05; zero
	// means the default. Must be in (0, 1].
	Floor float64 `json:"floor"`
}

// DefaultParams returns MinVolume 5 and Floor 0.05.
func DefaultParams() Params { return Params{MinVolume: DefaultMinVolume, Floor: DefaultFloor} }

// WithDefaults returns p with every zero field replaced by its default.
func (p Params) WithDefaults() Params {
	if p.MinVolume == 0 {
		p.MinVolume = DefaultMinVolume
	}
	if p.Floor == 0 {
		p.Floor = DefaultFloor
	}
	return p
}

// Validate reports a *FieldError (field "min_volume" or "floor") when p,
// after WithDefaults, is out of range: MinVolume must be at least 1 and
// Floor in (0, 1].
func (p Params) Validate() error {
	p = p.WithDefaults()
	var errs FieldErrors
	if p.MinVolume < 1 {
		errs = append(errs, fieldErr("min_volume", fmt.Sprintf("must be at least 1 interaction, got %d", p.MinVolume)))
	}
	if !(p.Floor > 0 && p.Floor <= 1) {
		errs = append(errs, fieldErr("floor", fmt.Sprintf("must be greater than 0 and at most 1, got %g", p.Floor)))
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}
