// Package api serves the v1 read API of API.md over storeview: an agent's
// models, performance page and inquiry detail, and a team's agents
// (wallboards), and the directory of teams and agents (GET /v1/teams, GET
// /v1/agents: search, pages) and the tenant's inquiries (GET
// /v1/inquiries), with display names from Config.Names. Routes mounts them, with their full /v1/... paths, on a
// chi.Router that the server owning the listener shares with the other
// parts (ingest, plans, websocket).
//
// # Access
//
// Every route needs a token the configured auth.TokenVerifier accepts (401
// otherwise) of role agent, supervisor or admin (ingest gets 403). The
// tenant is always the token's: no route reads a tenant from the URL, so
// a token can never reach another tenant's data. Role agent reads only
// their own agent id; supervisor reads agents whose current team
// (storeview.Views.TeamOf) is one of the token's teams, and those teams'
// team endpoint; admin reads the whole tenant. Anything else is 403.
//
// # Errors
//
// Every error is JSON {"error": "...", "field": "..."} (auth.WriteError).
// Checks run in this order: token (401/403 by role), path parameters (400
// naming "agent", "inquiry" or "team"), access to the data (403), query
// parameters (400 naming the parameter), data (404 when the tenant has no
// data for the model or the agent has none at all). A 5xx means the store
// failed, never the client; it is logged with the request's path.
//
// # Concurrency
//
// An *API holds no mutable state after New; its handlers run concurrently
// and block only on the store reads of one request, bounded by the
// request's context.
package api
