package views

import (
	"errors"
	"strings"
)

// ErrInvalidInput is matched (errors.Is) by every *FieldError and
// FieldErrors: a client's parameter or plan input broke a rule. A server
// answers it with 400 and the field.
var ErrInvalidInput = errors.New("invalid input")

// ErrNoData is returned when a tenant has no interactions at all for the
// requested model, so no range can be anchored at its latest data.
var ErrNoData = errors.New("no data for this model")

// ErrInvalidTransition is returned by Transition when a plan status change
// is not one the status machine allows (for example cancelling an achieved
// plan).
var ErrInvalidTransition = errors.New("invalid plan status transition")

// FieldError is one broken rule: the field to blame (its JSON or query
// parameter name; "actions[1]" for an element) and a message a person can
// act on. Error returns "field: message".
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"error"`
}

// Error implements error as "field: message".
func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Is reports whether target is ErrInvalidInput.
func (e *FieldError) Is(target error) bool { return target == ErrInvalidInput }

// FieldErrors is several broken rules reported at once, in the order the
// rules were checked. errors.As finds each element as *FieldError.
type FieldErrors []*FieldError

// Error joins the elements with "; ".
func (fe FieldErrors) Error() string {
	parts := make([]string, len(fe))
	for i, e := range fe {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// Unwrap returns the elements so that errors.Is and errors.As see them.
func (fe FieldErrors) Unwrap() []error {
	errs := make([]error, len(fe))
	for i, e := range fe {
		errs[i] = e
	}
	return errs
}

// fieldErr builds a *FieldError.
func fieldErr(field, msg string) *FieldError { return &FieldError{Field: field, Message: msg} }
