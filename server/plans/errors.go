package plans

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/agentpulse/agentpulse/views"
)

// Sentinels matched (errors.Is) by the refusals of the Service.
var (
	// ErrForbidden is returned when a valid token asks for an agent that
	// is not its holder's (403), or a non-admin edits the catalogue.
	ErrForbidden = errors.New("forbidden")
	// ErrNotFound is returned for a plan id the tenant does not have or
	// the token may not see (404), and for an action index the plan does
	// not have.
	ErrNotFound = errors.New("not found")
	// ErrConflict is returned when a change needs a plan in progress and
	// the plan is achieved, missed or cancelled (409).
	ErrConflict = errors.New("conflict")
)

// Error is a refusal with its HTTP status and the field to blame.
type Error struct {
	Status int
	Field  string
	Msg    string
	// PlanID names the plan a conflict is with (a duplicate plan); the
	// answer carries it as "plan_id".
	PlanID string
	err    error
}

func (e *Error) Error() string { return e.err.Error() + ": " + e.Msg }
func (e *Error) Unwrap() error { return e.err }

func forbidden(field, format string, args ...any) error {
	return &Error{Status: http.StatusForbidden, Field: field, err: ErrForbidden, Msg: fmt.Sprintf(format, args...)}
}

func notFound(field, format string, args ...any) error {
	return &Error{Status: http.StatusNotFound, Field: field, err: ErrNotFound, Msg: fmt.Sprintf(format, args...)}
}

func conflict(field, format string, args ...any) error {
	return &Error{Status: http.StatusConflict, Field: field, err: ErrConflict, Msg: fmt.Sprintf(format, args...)}
}

// errDuplicate is the refusal of a plan that repeats an in-progress one:
// the same agent, model, inquiry and metric.
func errDuplicate(p *views.Plan) error {
	return &Error{Status: http.StatusConflict, Field: "metric", err: ErrConflict, PlanID: p.ID,
		Msg: fmt.Sprintf("there is already a plan in progress for %s on %q (%s) with this metric: plan %s, target date %s; finish or cancel it before making another",
			p.Metric.Describe(), clip(p.Inquiry), clip(p.Model), p.ID, p.TargetDate)}
}

// errNoPlan is the one answer for a plan that does not exist and a plan
// the token may not see.
func errNoPlan(id string) error {
	return notFound("id", "no plan %q in this tenant that this token may see", clip(id))
}

// clip shortens s to 64 characters for an error message.
func clip(s string) string {
	n := 0
	for i := range s {
		if n == 64 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}
