// Package httpmw owns the HTTP middleware shared by every client-facing
// route of the server (the v1 read API, coaching plans, the websocket
// upgrade): admission limits and request metrics.
//
//   - Rate: each caller (keyed by a hash of its bearer token, else by its
//     IP address) may make Config.RatePerSecond requests per second; more
//     are answered 429 with Retry-After and a JSON error naming the flag
//     that raises the limit. Counters live in memory per server instance
//     (a sliding window of github.com/go-chi/httprate) and expire on their
//     own, so memory stays bounded by the callers of the last two seconds.
//   - Size: a request body larger than Config.MaxBodyBytes is answered 413
//     with a JSON error naming the flag; a body that grows past the limit
//     while being read fails the handler's read (http.MaxBytesReader).
//   - Metrics: requests by route pattern and status code, their duration,
//     and the refusals by limit (metrics.go). Labels never carry tenant,
//     agent or token values.
//
// The middleware is safe for concurrent use and never blocks beyond the
// next handler.
package httpmw
