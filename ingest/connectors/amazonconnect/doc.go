// Package amazonconnect is the "amazon-connect" connector: Amazon Connect
// contact records (CTRs) streamed to an Amazon Data Firehose stream whose
// destination is an HTTP endpoint, POST /v1/ingest/amazon-connect.
//
// Sources: "Understand HTTP endpoint delivery request and response
// specifications" (https://docs.aws.amazon.com/firehose/latest/dev/httpdeliveryrequestresponse.html)
// and "Data model for Amazon Connect contact records"
// (https://docs.aws.amazon.com/connect/latest/adminguide/ctr-data-model.html).
//
// # Delivery
//
// Firehose POSTs {"requestId", "timestamp", "records": [{"data": base64}]}
// (gzip when the stream compresses; the Handler decompresses). The
// X-Amz-Firehose-Access-Key header is the access key configured on the
// stream's destination; it names the tenant. X-Amz-Firehose-Request-Id
// must equal the body's requestId. Each record's data holds one contact
// record, or several separated by newlines (or nothing). The answer is
// {"requestId", "timestamp"} with 200, or the error status with
// "errorMessage": Firehose retries every status but 200 and 413.
//
// # Mapping
//
//	interaction            contact record
//	---------------------  -----------------------------------------------------------
//	interaction_id         ContactId
//	revision               LastUpdateTimestamp in Unix milliseconds (1 when absent):
//	                       a re-sent, updated record is a higher revision that replaces
//	                       the earlier one; an identical re-send is the same revision
//	agent_id               last path segment of Agent.ARN (the agent's UUID); without
//	                       an ARN, Agent.Username when it is a valid id
//	started_at             InitiationTimestamp (else Agent.ConnectedToAgentTimestamp)
//	ended_at               DisconnectTimestamp
//	handle_time_s          Agent.AgentInteractionDuration + Agent.CustomerHoldDuration
//	                       + Agent.AfterContactWorkDuration (seconds; absent = 0, all
//	                       three absent = unmappable)
//	model                  mapping: channel
//	inquiry                mapping: rules over queue, attributes.*, …
//	team_id                mapping: team fields (default: hierarchy.deepest, then
//	                       routing_profile, then queue)
//	predicted_*            mapping: a rescaled field, typically attributes.<name> that
//	                       a flow or Lambda sets from Contact Lens sentiment or a survey
//	source                 "amazon-connect"
//	source_refs            contact_id, contact_arn (InstanceARN/contact/ContactId),
//	                       instance_arn, agent_arn, aws_account_id, initial_contact_id
//	                       (when not the contact itself), previous_contact_id
//	attributes             talk_s, hold_s, acw_s (the three durations), queue
//	                       (Queue.Name), initiation_method, mapping_warning
//	customer_key           HMAC (connectors.CustomerKey, the tenant's
//	                       customer_key_secret) of CustomerId (Customer Profiles),
//	                       else CustomerEndpoint.Address (Type TELEPHONE_NUMBER:
//	                       E.164; EMAIL_ADDRESS: lower-cased); anonymous or
//	                       national numbers have none
//	chain_id               InitialContactId, else ContactId
//	initiation             InitiationMethod: INBOUND → inbound, OUTBOUND and
//	                       EXTERNAL_OUTBOUND → outbound, CALLBACK → callback,
//	                       TRANSFER and QUEUE_TRANSFER → transfer; others absent
//	hold_s, queue_wait_s   Agent.CustomerHoldDuration, Queue.Duration
//
//	mapping field          contact record
//	---------------------  -----------------------------------------------------------
//	channel                Channel (VOICE, CHAT, TASK, EMAIL)
//	queue                  Queue.Name
//	queue_id               last path segment of Queue.ARN
//	routing_profile        Agent.RoutingProfile.Name
//	hierarchy.levelN       Agent.HierarchyGroups.LevelN.GroupName
//	hierarchy.deepest      the deepest of Level5 … Level1 present
//	agent                  Agent.Username
//	direction              InitiationMethod
//	attributes.<name>      Attributes[<name>] (contact attributes)
//	raw.<path>             any field of the record, dotted into nested objects
//	wrapup, division,      not in contact records (absent); classify by contact
//	worker.<name>          attributes instead
//
// A contact record without an Agent (abandoned in queue, ended in the IVR,
// a transfer leg no agent took) is not an interaction: it is skipped with
// connectors.SkipNoAgent, neither an error nor dead-lettered. An empty
// Firehose record is skipped with connectors.SkipEmpty. Data that is not
// base64 or not JSON, and a record that cannot be mapped (no
// DisconnectTimestamp, an agent without a usable id, a channel without a
// model, a broken schema rule), is a failed Result.
//
// # Concurrency
//
// A Connector keeps no state between deliveries; it is safe for concurrent
// use and its output depends only on the body and the mapping.
package amazonconnect
