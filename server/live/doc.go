// Package live decides who may subscribe to which websocket channel and
// what each channel's snapshot is, over the store's views: the
// Authorizer and Snapshotter that server/ws is built with.
//
// Access (the read API's rules, reused from server/api):
//
//	agent:{id}         the agent themself, a supervisor leading the agent's
//	                   current team, an admin
//	team:{id}          a supervisor leading the team, an admin
//	wallboard:{model}  supervisors and admins; a supervisor's snapshot holds
//	                   only the teams they lead, and live score messages
//	                   reach them only for those teams (see server/ws)
//	plan:{id}          decided by Config.Plan (the coaching plans' code);
//	                   without it every plan channel is not_found
//
// Role ingest sees nothing. Snapshots: agent — the agent's models and
// their AgentPerformance over the default range; team — the team's
// agents (TeamAgents) per model of the tenant; wallboard — the model's
// figures per team with their agents (storeview.Wallboard); plan —
// whatever Config.Plan returns.
//
// Every method is safe for concurrent use and reads the store on each
// call.
package live
