// Package httpserver owns the process's one HTTP listener: the routes the
// parts mount on it (ingest, the read API, plans, the websocket), GET
// /healthz (alive), GET /readyz (the parts' dependencies answer, from
// state), GET /metrics (Prometheus), and graceful shutdown: on the end of
// Run's context it stops accepting connections, lets in-flight requests
// finish within a bound, and returns. Hijacked connections (websockets)
// are not waited for; their owner closes them.
//
// It sits below both ingest and server (each command's parts mount on
// one); it imports neither.
//
// A Server is built once and run once; its Handler is safe for concurrent
// use.
package httpserver
