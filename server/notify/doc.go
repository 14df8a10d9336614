// Package notify owns notifications (issue 16): who is told what, when,
// and whether they read it, delivered live over the websocket, listed in
// the dashboard, and sent by e-mail (SMTP) and chat webhooks (Slack- and
// Teams-compatible JSON) per user preferences.
//
// # Model
//
// A Notification has a Kind (an ask for help, a plan achieved, missed or
// at risk, an agent entering Needs work, the data feed stalled), words
// (title, body, a dashboard link) and an Audience: a team (its team
// leaders and the tenant's admins), an agent (that agent), or the admins.
// Who is in an audience is decided from the reader's token claims when
// listing, and from the claims a user saved with their preferences when
// sending e-mail or webhooks (the server keeps no roster of team leaders).
//
// # Storage
//
// With Config.Brokers (every server does), on the broker through
// internal/topiclog: notifications and read marks on the topic
// "notifications" (key: the tenant; created with retention MaxAge),
// preferences on the compacted "notification-prefs" (key tenant/subject,
// the newest wins). Every server process replays both at start (Ready
// until then; part of /readyz) and tails them, so several `serve`
// processes share one inbox: a notification raised on one is listed by
// all within the broker's delivery time, and each pushes it live to its
// own websockets when it first reads it (the raising process at once, the
// replay never). E-mails and webhooks are sent by the raising process
// only. In memory each tenant keeps its newest MaxPerTenant notifications
// (default 1000), none older than MaxAge (default 30 days, also enforced
// when listing), with read marks per person (subject) for those only.
//
// Writes: a read mark or preferences are kept once the broker acknowledged
// them (a refusal or timeout answers 503 and keeps nothing); a
// notification whose write failed is still listed and delivered by the
// process that raised it (logged, counted as channel "log", result
// "failed"), like the rest of the product's best-effort events. Records
// carry ids, so one read twice changes nothing.
//
// Without brokers (unit tests) everything is in memory, per process.
//
// Several processes each raise the events they see (a plan's sweep, a
// feed stall, an agent entering Needs work): a Notification.Key names the
// event (server/app keys them by plan, by silence, by agent, inquiry and
// day) and Notify tells a key once per tenant while a notification with it
// is kept. When two servers raise one key before either read the other's
// record, the topic's order decides: a notification Notify kept that the
// topic has not given back yet yields to one the topic holds first, so
// every server ends with the same one (TestKeyTellsOnce); in that race
// both may have pushed it and sent its e-mails.
//
// # Concurrency
//
// A Center is safe for concurrent use. Notify never blocks on delivery:
// e-mails and webhooks go through a bounded queue drained by Run's
// workers (a full queue drops the delivery and counts it).
package notify
