package catchup

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
)

// behindBody is the 503's JSON: API.md's error shape (no field to blame)
// plus catching_up and behind_records (openapi.yaml, Error).
type behindBody struct {
	Error         string `json:"error"`
	CatchingUp    bool   `json:"catching_up"`
	BehindRecords int64  `json:"behind_records"`
}

// Handler answers 503 with Retry-After and a JSON error
// ({"error", "catching_up": true, "behind_records": N})
// while Err is not nil, and passes the request to next otherwise.
func (g *Gate) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := g.Err()
		if err == nil {
			next.ServeHTTP(w, r)
			return
		}
		g.metrics.refused.Inc()
		WriteBehind(w, err)
	})
}

// WriteBehind answers err (a *BehindError) with 503, Retry-After and the
// catching-up JSON error.
func WriteBehind(w http.ResponseWriter, err error) {
	var be *BehindError
	if !errors.As(err, &be) {
		be = &BehindError{RetryAfter: 5e9}
	}
	b, _ := json.Marshal(behindBody{Error: be.Error(), CatchingUp: true, BehindRecords: be.Records}) // cannot fail
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("Retry-After", strconv.Itoa(int(be.RetryAfter.Seconds())))
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write(append(b, '\n'))
}
