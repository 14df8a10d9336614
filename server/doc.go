// Package server owns what clients touch: the v1 HTTP API (chi), the
// websocket hub (gorilla/websocket) that pushes live score and coaching-plan
// updates, authorisation of what each caller reads, Prometheus metrics,
// and the embedded web dashboard. Authentication (tokens, roles) is the
// top-level auth package and the listener the top-level httpserver
// package, shared with ingest.
//
// It is built by the read-side work; this file reserves the package and
// states its contract.
package server
