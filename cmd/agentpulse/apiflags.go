package main

import (
	"flag"
	"fmt"
	"log/slog"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/agentpulse/agentpulse/server/httpmw"
)

// apiFlags are the admission limits of the client-facing API (read API,
// plans, websocket upgrade), shared by `all` and `serve`.
type apiFlags struct {
	rate    int
	maxBody int64
}

func (f *apiFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&f.rate, "api-rate", httpmw.DefaultRatePerSecond, "API requests per second one caller (token, else IP address) may make; more are answered 429 (negative: no limit)")
	fs.Int64Var(&f.maxBody, "api-max-body-bytes", httpmw.DefaultMaxBodyBytes, "largest API request body in bytes (plans, catalogue); a larger one is refused with 413")
}

func (f *apiFlags) validate() error {
	if f.rate == 0 {
		return &usageError{"--api-rate: must not be 0 (negative turns the limit off)"}
	}
	if f.maxBody < 1 {
		return &usageError{fmt.Sprintf("--api-max-body-bytes: must be at least 1, got %d", f.maxBody)}
	}
	return nil
}

// guarded returns one mount that installs the admission limits and the
// request metrics in front of every mount in routes.
func (f *apiFlags) guarded(reg prometheus.Registerer, log *slog.Logger, routes ...func(chi.Router)) (func(chi.Router), error) {
	limits, err := httpmw.New(httpmw.Config{RatePerSecond: f.rate, MaxBodyBytes: f.maxBody, Registerer: reg, Logger: log})
	if err != nil {
		return nil, err
	}
	return func(r chi.Router) {
		r.Group(func(r chi.Router) {
			r.Use(limits.Handler)
			for _, mount := range routes {
				mount(r)
			}
		})
	}, nil
}
