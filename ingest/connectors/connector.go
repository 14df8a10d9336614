package connectors

import (
	"net/http"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
)

// Connector maps one CCaaS platform's webhook deliveries into canonical
// interactions. Implementations are safe for concurrent use.
type Connector interface {
	// Name is the connector's route and source name ("amazon-connect",
	// "genesys-cloud", "twilio-taskrouter"): POST /v1/ingest/{Name}.
	Name() string

	// Authenticate checks the delivery with the platform's own
	// authentication and returns the tenant it belongs to. body is the
	// whole, already decompressed request body; Authenticate does not
	// modify it. An error matching [ErrUnauthenticated] means the caller
	// must answer 401 and keep nothing; any other error means the delivery
	// is malformed (answer 400, keep nothing).
	Authenticate(r *http.Request, body []byte) (tenant string, err error)

	// Map turns an authenticated delivery into one Result per record (and,
	// for joining connectors, per interaction the delivery completes or
	// pushes out of bounded state). The error is returned only for a body
	// that cannot be parsed at all (it matches [ErrMalformed]); per-record
	// problems are Results with Err set. now is the receive time: it stamps
	// pending state and is never copied into an interaction.
	Map(tenant string, body []byte, now time.Time) ([]Result, error)
}

// KeyChecker returns the tenant of an agentpulse machine API key
// ("apk_…", auth/apikeys), or an error when the key is unknown or revoked.
// Connectors whose platform sends a configurable header secret (Firehose's
// access key, an EventBridge API key) accept such a key instead of a
// credentials-file secret, so it can be rotated and revoked by admins.
type KeyChecker func(key string) (tenant string, err error)

// APIKeyPrefix starts every machine API key.
const APIKeyPrefix = "apk_"

// Responder is implemented by connectors whose platform expects a particular
// response to a delivery (Amazon Data Firehose's {"requestId", "timestamp"}
// body, TaskRouter's 204). err is nil on success or the error that failed the
// delivery; it matches [ErrUnauthenticated], [ErrBusy], [ErrMalformed], [ErrTooLarge] or
// [ErrUnavailable] (the caller could not keep the results and the platform
// should retry). The Response's Status is only a suggestion for errors:
// [StatusFor] gives the status every connector must use.
type Responder interface {
	Respond(r *http.Request, err error, now time.Time) Response
}

// Response is an HTTP response to write: Status, a Content-Type (empty for
// no body) and the Body.
type Response struct {
	Status      int
	ContentType string
	Body        []byte
}

// Result is the outcome of one record of a delivery. Exactly one of
// Interaction, Err and Skipped is set:
//
//   - Interaction: a mapped record that passed Validate; produce it.
//   - Err: a well-authenticated record that could not be mapped (it matches
//     [ErrUnmappable]); keep it on the dead-letter topic with Err.Error() as
//     the reason.
//   - Skipped: a record that is correctly not an interaction (an abandoned
//     contact, a non-terminal event, half of a pending join); acknowledge it
//     and count it by reason. It is neither an error nor dead-lettered.
//
// The Interaction must not be modified: a joining connector re-emits the
// same value for redeliveries.
type Result struct {
	// Interaction is the mapped record, valid per schemas.Interaction.Validate.
	Interaction *schemas.Interaction
	// Outcomes are outcome records found in the platform record (survey
	// answers by the tenant's mapping beside an Interaction, or a record of
	// outcomes only such as a Genesys conversation details export, which
	// counts as accepted), each valid.
	Outcomes []schemas.Outcome
	// Err says why the record could not be mapped.
	Err error
	// Skipped is the reason the record produced nothing (one of the Skip*
	// constants).
	Skipped string
	// Tenant is the tenant the record belongs to. It differs from the
	// delivery's tenant only for results a joining connector pushes out of
	// its bounded state while mapping another tenant's delivery.
	Tenant string
	// Ref locates the record in the platform's terms, for logs and the
	// dead-letter topic: "records[3]" plus the contact id, the conversation
	// and participant, or the task and reservation sids.
	Ref string
}

// Reasons for Result.Skipped. They are stable metric label values.
const (
	// SkipNoAgent: the record never reached an agent (an abandoned or
	// in-queue contact, an agent alert that was never answered).
	SkipNoAgent = "no_agent"
	// SkipNotTerminal: an event that does not finish an interaction
	// (reservation.created, task.updated, worker events, …).
	SkipNotTerminal = "not_terminal"
	// SkipPending: half of an interaction that waits in bounded state for
	// its other half (a reservation.accepted, an acw before its user.end).
	SkipPending = "pending"
	// SkipIgnoredTopic: an event of a topic the connector does not use.
	SkipIgnoredTopic = "ignored_topic"
	// SkipEmpty: an empty record (Firehose permits them).
	SkipEmpty = "empty"
	// SkipCanceled: a reservation or task that was canceled, rejected,
	// rescinded or timed out; its pending state is dropped.
	SkipCanceled = "canceled"
)

// Counts tallies results by outcome.
type Counts struct {
	Accepted, Failed, Skipped int
}

// Count tallies rs.
func Count(rs []Result) Counts {
	var c Counts
	for i := range rs {
		switch {
		case rs[i].Interaction != nil || len(rs[i].Outcomes) > 0:
			c.Accepted++
		case rs[i].Err != nil:
			c.Failed++
		default:
			c.Skipped++
		}
	}
	return c
}

// OK returns a Result for a mapped interaction.
func OK(it *schemas.Interaction, ref string) Result {
	return Result{Interaction: it, Tenant: it.TenantID, Ref: ref}
}

// Failed returns a Result for a record that could not be mapped; err is
// wrapped so that it matches [ErrUnmappable].
func Failed(tenant, ref string, err error) Result {
	return Result{Err: unmappable(err), Tenant: tenant, Ref: ref}
}

// Skip returns a Result for a record that is not an interaction.
func Skip(tenant, ref, reason string) Result {
	return Result{Skipped: reason, Tenant: tenant, Ref: ref}
}
