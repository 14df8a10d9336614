// Package server owns what clients touch: the v1 HTTP API (chi), the
// websocket hub (gorilla/websocket) that pushes live score and coaching-plan
// updates, authentication and authorisation, Prometheus metrics, and the
// embedded web dashboard.
//
// It is built by the read-side work; this file reserves the package and
// states its contract.
package server
