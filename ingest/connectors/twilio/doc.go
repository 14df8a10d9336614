// Package twilio is the "twilio-taskrouter" connector: the TaskRouter
// workspace event callback (the workspace's EventCallbackUrl pointed at
// POST /v1/ingest/twilio-taskrouter).
//
// Sources: "TaskRouter Events reference"
// (https://www.twilio.com/docs/taskrouter/api/event/reference) and "Secure
// webhooks" (https://www.twilio.com/docs/usage/webhooks/webhooks-security).
//
// # Delivery
//
// TaskRouter POSTs application/x-www-form-urlencoded parameters: EventType,
// AccountSid, WorkspaceSid, Timestamp (and TimestampMs or EventDate), the
// task's (TaskSid, TaskAttributes JSON, TaskChannelUniqueName, TaskQueueSid,
// TaskQueueName, TaskCompletedReason, …), for reservation events the
// worker's (WorkerSid, WorkerName, WorkerAttributes JSON) and
// ReservationSid. The body's AccountSid names the tenant's account; the
// X-Twilio-Signature header must be the HMAC-SHA1 (base64) of the full
// request URL followed by every POST parameter sorted by name as name+value,
// keyed by one of the account's auth tokens ([Signature]; the test uses the
// vector of Twilio's documentation and SDKs). The URL is
// Config.PublicBaseURL plus the raw request URI, or rebuilt from the request;
// the scheme's default port may be present or not, as in Twilio's own
// validators. The answer is 204 No Content with Content-Type
// application/json, as TaskRouter asks.
//
// # Events
//
// Tracked (per tenant and TaskSid, in the [Tracker]): reservation.accepted
// (start, agent), reservation.wrapup and task.wrapup (the earliest is when
// the customer left), reservation.completed and task.completed (the earliest
// is the end). The interaction is emitted when a task has both its
// reservation.accepted and a completion, in whichever order they arrive; the
// second completion (TaskRouter sends both) and redeliveries re-emit the
// same interaction for TrackerConfig.Retain (default 10 minutes). A
// wrap-up that arrives after the interaction was emitted changes nothing.
// reservation.rejected, .timeout, .canceled, .rescinded, .failed and
// task.canceled are acknowledged with connectors.SkipCanceled; every other
// event (reservation.created, task.created, task.updated, task-queue.*,
// worker.*, workflow.*, …) is acknowledged and produces nothing
// (connectors.SkipNotTerminal). Tracked events that wait return
// connectors.SkipPending.
//
// A task not complete within TrackerConfig.Timeout (default 24 hours, the
// longest handle time the schema allows; it must exceed the longest
// accepted-to-completed time) is a failed Result saying which event is
// missing, so the dead-letter topic keeps it. The table holds at most
// TrackerConfig.MaxPending tasks; when full, the one with the earliest
// deadline is pushed out exactly as if it had timed out.
//
// What a crash loses: the in-memory table. A completion after the restart
// whose reservation.accepted was lost waits for it and is dead-lettered at
// the timeout (the handle time cannot be known); a lost wrap-up only loses
// the talk/wrap-up split. To make it durable, a later engineer can write
// each reservation.accepted and wrap-up to a compacted Kafka topic keyed by
// tenant/TaskSid (tombstone when the interaction is emitted) and rebuild the
// table from it on start.
//
// # Mapping
//
//	interaction            event callbacks
//	---------------------  -----------------------------------------------------------
//	interaction_id         TaskSid
//	revision               1
//	agent_id               WorkerSid of the reservation.accepted
//	started_at             reservation.accepted time
//	ended_at               wrap-up time when a wrap-up event fell between acceptance
//	                       and completion, else the completion time
//	handle_time_s          completion − acceptance (seconds; TimestampMs gives
//	                       milliseconds, Timestamp whole seconds)
//	model, inquiry,        mapping (see below)
//	team_id, predicted_*
//	source                 "twilio-taskrouter"
//	source_refs            task_sid, reservation_sid, worker_sid, workspace_sid,
//	                       account_sid, task_queue_sid
//	attributes             talk_s (wrap-up − acceptance), acw_s (completion − wrap-up),
//	                       queue (TaskQueueName), mapping_warning
//
//	mapping field          event callbacks (task values from the completion first)
//	---------------------  -----------------------------------------------------------
//	channel                TaskChannelUniqueName (voice, chat, sms, email, …)
//	queue                  TaskQueueName, else TaskQueueSid
//	queue_id               TaskQueueSid
//	wrapup                 TaskCompletedReason of the completion
//	agent                  WorkerName
//	direction              TaskAttributes.direction
//	attributes.<path>      TaskAttributes JSON, dotted into nested objects
//	                       (e.g. attributes.conversations.satisfaction)
//	worker.<path>          WorkerAttributes JSON (e.g. worker.team_name)
//
// chain_id is the TaskSid (a task's reservations, transfers included, are
// one contact); initiation comes from TaskAttributes.direction (inbound or
// outbound, else absent); customer_key only from the tenant's "customer"
// mapping rules (e.g. {"field": "attributes.from", "kind": "phone"}), since
// a task has no customer field of its own.
//
//	raw.<name>             any form parameter
//	routing_profile,       not in TaskRouter events (absent)
//	hierarchy.*, division
//
// EventDescription and WorkspaceName (which may hold personal data) are
// dropped on arrival and never kept in the table.
//
// # Concurrency
//
// A Connector and its Tracker are safe for concurrent use; the task table is
// guarded by one mutex held only for the tracking step of each event. The
// caller must run Expire every few seconds and keep its results like Map's.
// Twilio's newer "Webhooks Rules" HMAC-SHA256 signatures
// (X-Twilio-Webhooks-Signature-Settings) are not supported.
package twilio
