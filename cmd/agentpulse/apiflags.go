package main

import (
	"flag"
	"fmt"

	"github.com/agentpulse/agentpulse/server/httpmw"
)

// apiFlags are the admission limits of the client-facing API (read API,
// plans, websocket upgrade), shared by `all` and `serve`.
type apiFlags struct {
	rate    int
	maxBody int64
	oidc    string
}

func (f *apiFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&f.rate, "api-rate", httpmw.DefaultRatePerSecond, "API requests per second one caller (token, else IP address) may make; more are answered 429 (negative: no limit)")
	fs.StringVar(&f.oidc, "oidc-config", "", "JSON file of each tenant's OpenID Connect provider for single sign-on (issuer, client id and secret, groups to roles and teams; see auth/oidc); empty: tokens only")
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
