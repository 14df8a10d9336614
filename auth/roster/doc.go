// Package roster owns the roster of people of each tenant: who is an
// agent, a supervisor (of which teams) or an admin in the product, and
// their display names, managed by admins (API: Routes), and the tenant's
// mode saying who decides (Mode): the identity provider's groups
// (ModeIdP), the roster for the people it lists and the identity provider
// for anyone else (ModeOverride, the default), or the roster alone
// (ModeRoster, anyone not listed is refused with 403).
//
// It also keeps the tenant's display names of teams, inquiries and models
// (channels), set by admins (PUT /v1/names, names.go) and read with the
// people's names by anyone of the tenant (GET /v1/names): the dashboard
// shows them instead of ids. A display name changes nobody's access, so
// it does not trigger OnChange; every shown name that changes (a label,
// or a person's name) triggers OnNames with that name, on every server
// (each applies the topic), so that servers push it to open pages.
//
// # Where it applies
//
// Verifier wraps the token verifier of the server: every REST call and
// every websocket upgrade sees the roster's current state, not the one of
// when the token was minted. The websocket hub re-verifies each open
// connection's token when the roster changes (Roster.OnChange triggers
// it), so a role or team change reaches open subscriptions within
// moments. Machine tokens (role ingest, API keys) are never changed.
//
// # Storage
//
// The roster is kept on a compacted Kafka topic (DefaultTopic, one
// partition, key tenant/person/sub, tenant/mode or tenant/name/kind/id,
// the newest version of each key wins), as auth/apikeys keeps its keys:
// durable across restarts, and shared by every server of a deployment
// (`all`, several `serve`), each of which replays it at start and tails
// it. A removal is
// a record marked removed (kept by compaction as the key's newest state).
// The topic is read and written through internal/topiclog.
//
// # Concurrency
//
// A Roster and a Log are safe for concurrent use. Resolve and Verify never
// block on the broker. Changes made in one process are serialised there
// (the lockout checks: an admin may not remove or demote themselves, and
// ModeRoster needs the acting admin listed as admin); two servers changing
// the same person at once both succeed and the higher version wins
// everywhere.
package roster
