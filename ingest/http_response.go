package ingest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/agentpulse/agentpulse/auth"
)

// InteractionsResponse is the 200 answer of POST /v1/ingest/interactions,
// written once the accepted records are durably acknowledged and the
// rejected ones are on the dead-letter topic.
type InteractionsResponse struct {
	// Accepted counts the records produced to the interactions topic.
	Accepted int `json:"accepted"`
	// Rejected lists the other records in body order; never null.
	Rejected []Rejection `json:"rejected"`
}

// Rejection says why one record was not accepted.
type Rejection struct {
	// Index is the record's 0-based position in the body (array element,
	// or NDJSON line not counting blank lines).
	Index int `json:"index"`
	// Line is the 1-based line of the body on which the record starts.
	Line int `json:"line"`
	// Field is the first field at fault (JSON name, dotted inside
	// source_refs and attributes); "" when the record as a whole is.
	Field string `json:"field"`
	// Rule names the broken rule: a schemas.Rule, "tenant" (the record
	// belongs to another tenant), "size" (over --max-record-bytes) or
	// "syntax" (an NDJSON line that is not JSON).
	Rule string `json:"rule"`
	// Error says what is wrong, in words an admin can act on, without
	// repeating Field; further broken rules follow as "; field: message".
	Error string `json:"error"`
}

// Rules of a Rejection besides the schemas.Rule values.
const (
	RuleTenant = "tenant" // tenant_id is not the token's tenant
	RuleSize   = "size"   // the record is over --max-record-bytes
	RuleSyntax = "syntax" // an NDJSON line that is not JSON
)

// httpError is an answer that refuses a whole request.
type httpError struct {
	status int
	msg    string
	field  string // "" when no field is to blame
	limit  string // limit label when a limit refused the request
	cause  error  // what caused it, logged
}

func (e *httpError) Error() string { return strconv.Itoa(e.status) + ": " + e.msg }

// writeHTTPError writes e as {"error": ..., "field": ...}, with a
// Retry-After on 429 and 503.
func writeHTTPError(w http.ResponseWriter, e *httpError, retryAfter time.Duration) {
	if e.status == http.StatusTooManyRequests || e.status == http.StatusServiceUnavailable {
		secs := int((retryAfter + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	auth.WriteError(w, e.status, e.msg, e.field)
}

// writeResponse writes the 200 answer.
func writeResponse(w http.ResponseWriter, accepted int, rejected []Rejection) {
	if rejected == nil {
		rejected = []Rejection{}
	}
	body, err := json.Marshal(InteractionsResponse{Accepted: accepted, Rejected: rejected})
	if err != nil { // cannot happen: ints and strings
		auth.WriteError(w, http.StatusInternalServerError, "encode the answer: "+err.Error(), "")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(append(body, '\n'))
}

// statusWriter remembers the status written, for the metrics.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.code == 0 {
		s.code = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(p []byte) (int, error) {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	return s.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
