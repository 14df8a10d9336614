// Package genesys is the "genesys-cloud" connector: Genesys Cloud
// conversation detail events published through the Amazon EventBridge
// integration and delivered to POST /v1/ingest/genesys-cloud by an
// EventBridge API destination.
//
// Sources: the Genesys Cloud notification topics
// v2.detail.events.conversation.{id}.user.end and .acw (payloads as in the
// platform SDK models UserEndDetailEventTopicUserEndEvent and
// AcwDetailEventTopicAfterCallWorkEvent), the partner event's detail
// {topicName, version, eventBody, metadata: {CorrelationId}, timestamp},
// and the EventBridge event structure
// (https://docs.aws.amazon.com/eventbridge/latest/ref/overiew-event-structure.html).
//
// # Delivery
//
// The body is one EventBridge event (a JSON array of events is accepted
// too). The topic comes from "detail-type" (else detail.topicName); the
// payload from detail.eventBody (else detail itself, for an input
// transformer that flattened it). The tenant comes from the API
// destination's connection: an API-key header (name and value) or basic
// auth, per connectors.Credentials. EventBridge OAuth connections are not
// supported. Any 2xx answer is success; the Handler's default JSON answer
// is used.
//
// # Joining user.end and acw
//
// Talk and hold time arrive in user.end, wrap-up in acw; the [Joiner] joins
// them per (tenant, conversationId, participantId or userId). The decision
// is to emit revision 1 on user.end at once (handle time = talk + hold,
// attribute acw_pending: true) and revision 2 when the acw arrives (plus
// wrapupDurationMs; the inquiry is re-evaluated with the wrap-up code),
// rather than hold user.end back until its acw:
//
//   - It is safer: a crash, a redeploy or a full table loses at most the
//     wrap-up portion of interactions in flight, never the interaction, its
//     agent and its talk time. A held-back user.end exists only in memory
//     until the acw arrives, minutes later.
//   - It is faster: scores move when the customer hangs up, not when the
//     agent finishes wrap-up.
//   - It costs nothing downstream: revisions are first-class (a higher one
//     replaces a lower one everywhere).
//
// An acw that arrives first waits (connectors.SkipPending); its user.end then
// emits revision 2 directly. A user.end whose acw does not come within the
// timeout (JoinerConfig.Timeout, default 10 minutes) gets a revision 2 with
// attribute acw_missing: true from Expire (or when pushed out of a full
// table), so every interaction ends final. An acw whose user.end does not
// come is a failed Result: its talk and hold time are unknown. A joined
// interaction is remembered for the timeout after the join, and redelivered
// halves re-emit the identical revision 2; a redelivery after that is
// treated as new and can only produce revisions the processor already holds
// (1, or an equal 2), which it ignores.
//
// What a crash loses: the in-memory table — acw events still waiting for
// their user.end (their wrap-up is lost; the user.end, if it comes after the
// restart, yields revision 1 and then revision 2 with acw_missing), and the
// user.end halves waiting for their acw (revision 1 was already produced;
// the acw after the restart waits alone and is dead-lettered at its
// timeout). To make it durable, a later engineer can write each pending half
// to a compacted Kafka topic keyed by tenant/conversation/participant
// (tombstone on join or expiry) and rebuild the table from it on start,
// before accepting deliveries; nothing else changes, because the joiner's
// output is a function of the halves it holds.
//
// # Mapping
//
//	interaction            event
//	---------------------  -----------------------------------------------------------
//	interaction_id         "<conversationId>:<participantId>" (userId when no
//	                       participantId): one interaction per agent participant, so
//	                       transfers and consults give each agent their own
//	revision               1 on user.end (acw_pending), 2 with the acw or after the
//	                       timeout (acw_missing)
//	agent_id               userId
//	started_at             user.end eventTime − interactingDurationMs − heldDurationMs
//	ended_at               user.end eventTime (ms since epoch): the same in both
//	                       revisions, so a correction never moves between hours
//	handle_time_s          (interactingDurationMs + heldDurationMs + acw
//	                       wrapupDurationMs) / 1000
//	model, inquiry,        mapping (see below)
//	team_id, predicted_*
//	source                 "genesys-cloud"
//	source_refs            conversation_id, participant_id, session_id, queue_id,
//	                       user_id, correlation_id (detail.metadata.CorrelationId)
//	attributes             talk_s, hold_s, acw_s, wrapup_code, acw_pending,
//	                       acw_missing, mapping_warning
//	customer_key           HMAC (connectors.CustomerKey, the tenant's
//	                       customer_key_secret) of externalContactId (or the first
//	                       of conversationExternalContactIds), else ani (a phone
//	                       number), else addressFrom (an e-mail address on EMAIL,
//	                       a phone number otherwise); anonymous callers have none.
//	                       The raw identifiers are held only until the join and
//	                       never stored
//	chain_id               conversationId (every leg of a transfer shares it)
//	initiation             callback for mediaType CALLBACK, else direction
//	                       (INBOUND → inbound, OUTBOUND → outbound)
//	hold_s                 heldDurationMs / 1000
//
//	mapping field          event (the acw's value wins where both have one)
//	---------------------  -----------------------------------------------------------
//	channel                mediaType (VOICE, CALLBACK, CHAT, EMAIL, MESSAGE, …)
//	queue, queue_id        queueId (the events carry no queue name: map ids)
//	wrapup                 acw wrapupCode (an id; absent in revision 1)
//	direction              direction
//	division               divisionId
//	agent                  userId
//	raw.<name>             any scalar field of eventBody except ani, addressFrom,
//	                       callbackUserName, callbackNumbers, wrapupNotes and subject,
//	                       which are never kept (they may identify the customer)
//	routing_profile,       not in these events (absent)
//	hierarchy.*,
//	attributes.*, worker.*
//
// A user.end without interacting or held time (an alert the agent never
// answered) is skipped with connectors.SkipNoAgent; events of other topics
// with connectors.SkipIgnoredTopic.
//
// # Outcomes: conversation details exports
//
// The user.end and acw events carry no surveys or resolutions; Genesys
// Cloud reports them in its analytics conversation details. A tenant's
// scheduled exporter may POST the body of
// /api/v2/analytics/conversations/details/query (or a page of a details
// job's results), {"conversations": [...]}, to the same endpoint with the
// same credentials. Every conversation gives one Result carrying outcome
// records (SkipNoOutcome when it has none):
//
//	outcome                conversation details
//	---------------------  -----------------------------------------------------------
//	survey                 surveys[] with surveyStatus "Finished": score
//	                       surveyPromoterScore on 0..10, else oSurveyTotalScore on
//	                       0..100; outcome_id "genesys-survey-<surveyId>"; observed
//	                       at surveyCompletedDate (else eventTime)
//	resolution             resolutions[]: resolved when nNextContactAvoided
//	                       (getnNextContactAvoided in older API versions) > 0, rule
//	                       "genesys-nca"; observed at eventTime
//	interaction_id         "<conversationId>:<participantId>" of the agent
//	                       participant whose userId the survey or resolution names
//	                       (the id user.end gives that interaction); a userId that
//	                       is no agent participant fails the conversation
//
// # Concurrency
//
// A Connector and its Joiner are safe for concurrent use; the join table is
// guarded by one mutex held only for the join step of each event. The
// caller must run Expire every few seconds and keep its results like Map's.
package genesys
