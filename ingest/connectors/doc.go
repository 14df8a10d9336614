// Package connectors owns what the CCaaS connectors share: the [Connector]
// interface behind POST /v1/ingest/{connector}, the per-record [Result], the
// per-tenant [Mapping] (queue, wrap-up code and attributes → inquiry,
// channel → model, team, predictions), the per-tenant [Credentials] used to
// authenticate deliveries, the bounded deadline table [Pending] that joining
// connectors keep their state in, and the [Handler] that runs a delivery
// through a connector and a [Sink]. The connectors themselves live in the
// subpackages amazonconnect (Amazon Connect contact records via Amazon Data
// Firehose), genesys (Genesys Cloud conversation detail events via an
// Amazon EventBridge API destination) and twilio (TaskRouter workspace
// event callbacks).
//
// # A delivery
//
// The Handler reads the body (bounded by HandlerConfig.MaxBodyBytes, gzip
// decompressed when Content-Encoding says so), then:
//
//  1. Connector.Authenticate finds the tenant from the platform's own
//     credential. [ErrUnauthenticated] → 401; any other error → 400. Nothing
//     of the delivery is kept.
//  2. Connector.Map returns one Result per record. An error ([ErrMalformed])
//     means the body could not be parsed at all → 400, nothing kept.
//  3. The Sink keeps the results durably: each Result.Interaction to the
//     "interactions" topic, each Result.Err (matching [ErrUnmappable]) to the
//     dead-letter topic with its text as the reason; Result.Skipped records
//     (an abandoned contact, a non-terminal event, half of a pending join)
//     are only counted. A Sink error → 503 so the platform retries.
//  4. The answer is the platform's ([Responder]: Firehose's {"requestId",
//     "timestamp"}, TaskRouter's 204), else {"accepted", "failed", "skipped"}.
//
// Every Interaction a connector returns has passed schemas.Interaction's
// Validate; a record that would break a schema rule becomes a failed Result
// naming the field.
//
// # Mapping file
//
//	{
//	  "default": { …rules… },                  // tenants without an entry
//	  "tenants": { "acme": { …rules… } }
//	}
//
// Rules (each section optional; a missing section is taken from "default",
// then from the built-in rules; a section that is present replaces the
// inherited one whole, except that an inquiry or team section without its
// own "default" keeps the inherited default):
//
//	"channels":       {"VOICE": "voice", "CHAT": "chat", "TASK": "email"},  // case-insensitive keys
//	"default_model":  "",                 // model of unlisted channels; "" = unmappable
//	"no_predictions": ["email"],          // models that never carry predictions
//	"inquiry": {"rules": [ … ], "default": "general"},
//	"team":    {"fields": ["hierarchy.level3", "routing_profile"], "map": {"Name": "team-id"}, "default": "unassigned"},
//	"predicted_satisfaction": {"field": "attributes.sentiment", "min": -5, "max": 5},  // null = none
//	"predicted_resolution":   {"field": "attributes.csat", "min": 1, "max": 5},
//	"customer": [{"field": "attributes.crm_id", "kind": "external"}],          // phone | email | external
//	"surveys":  [{"field": "attributes.survey_result_csat", "id": "csat", "scale_min": 1, "scale_max": 5}]
//
// An inquiry rule names a field and exactly one condition — "equals" (a
// list), "prefix", "contains" (all case-insensitive) or "present": true —
// and either a fixed "inquiry" or "inquiry_from_value": true (the trimmed
// value, if it is a valid inquiry). Rules are tried in order; the first
// match wins; "default" applies otherwise. The team is the first present
// field of "fields", translated by "map" when listed there, else made an id
// by [NormalizeID] (accents spelled in ASCII, other characters → '-'),
// else "default". A prediction rescales the field linearly from
// [min, max] to [0, 1] (min > max inverts a scale) and is rounded to six
// decimals; a value outside the range or not a number is never clamped or
// guessed: the prediction is left out and the attribute "mapping_warning"
// says why.
//
// "customer" lists fields that identify the customer, tried in order before
// the connector's own identifiers (Twilio has none of its own); the first
// that names someone gives customer_key, an HMAC with the tenant's
// customer_key_secret ([CustomerKey]: phone numbers normalized to E.164,
// e-mail lower-cased, anonymous or withheld numbers name no one). Without a
// customer_key_secret no record has a customer_key. "surveys" turns fields
// holding survey answers (Amazon Connect's survey_result_* contact
// attributes) into survey outcome records produced to the outcomes topic
// beside the interaction ([SurveyOutcomes]); a value that is not a number on
// the scale makes none.
//
// The built-in rules: channels VOICE, CALLBACK → voice; CHAT, MESSAGE, SMS,
// WEBCHAT → chat; EMAIL, TASK → email; no predictions for email; inquiry =
// the queue (name, or id where the platform sends no name), else "general";
// team = hierarchy.deepest, routing_profile, worker.team_id,
// worker.team_name, queue, else "unassigned"; no predictions configured.
//
// Field names: channel, queue, queue_id, wrapup, routing_profile,
// hierarchy.level1 … hierarchy.level5, hierarchy.deepest, agent, direction,
// division, attributes.<name> (contact or task attributes; dots walk into
// nested objects), worker.<name> (worker attributes) and raw.<name> (any
// field of the platform's record). Each connector's package documentation
// has the table of which platform field fills which name; a name a
// connector does not fill is simply absent. [ParseMapping] refuses unknown
// keys and field names, invalid models, team ids and inquiries, rules
// without exactly one condition and empty ranges, naming the JSON path of
// each problem.
//
// # Credentials file
//
//	{"tenants": {"acme": {
//	  "amazon_connect": {"access_keys": ["…"]},                                  // X-Amz-Firehose-Access-Key
//	  "genesys_cloud":  {"api_keys": [{"header": "X-Agentpulse-Key", "value": "…"}],
//	                     "basic":    [{"username": "…", "password": "…"}]},       // EventBridge connection
//	  "twilio":         {"account_sid": "AC…", "auth_tokens": ["primary", "secondary"]},
//	  "customer_key_secret": "…"                                                   // ≥ 32 characters; HMAC key of customer_key
//	}}}
//
// Several keys or tokens per tenant allow rotation. Secrets must be at least
// 16 characters (Twilio's tokens are Twilio's) and may not be shared by two
// tenants. Secrets are compared in constant time; see [Credentials].
//
// # Concurrency and state
//
// Mapping and Credentials are immutable after loading and safe for
// concurrent use; reload by building new ones and new connectors. Every
// Connector and the Handler are safe for concurrent use. The joining
// connectors (genesys, twilio) keep pending halves of interactions in a
// [Pending] table guarded by a mutex: bounded in entries (oldest pushed out
// first, exactly as if it had timed out) and in time (their Expire method,
// which the caller runs every few seconds). That state lives in memory: a
// crash loses it; each connector's documentation says what that costs and
// how it could be made durable.
package connectors
