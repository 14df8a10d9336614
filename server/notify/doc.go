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
// In memory, per process: the newest Config.MaxPerTenant notifications
// of each tenant, read marks and preferences. They do not survive a
// restart (the coaching asks themselves are durable on their plans), and
// with several server processes each holds the events it raised.
//
// # Concurrency
//
// A Center is safe for concurrent use. Notify never blocks on delivery:
// e-mails and webhooks go through a bounded queue drained by Run's
// workers (a full queue drops the delivery and counts it).
package notify
