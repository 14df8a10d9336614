// Package app assembles the client-facing server over one store: the v1
// read API, coaching plans, the websocket hub, the web dashboard, and the
// updates feed that keeps them live. `agentpulse all`, `agentpulse serve`
// and the end-to-end tests build it the same way.
//
// Data flow: the figures are read from the store with the processor's
// updates laid over it (the overlay: an update is published before the
// processor's flush) through a benchmark cache per (tenant, model). Every
// update read from the "updates" topic goes, in order, to the overlay and
// the cache, to the hub (score messages) and to the plans (live Now).
//
// Lifecycle: New builds, Routes mounts, Run runs the parts until its
// context ends (the hub then closes its websockets with code 1001), Close
// releases the plan store after Run returned.
package app
