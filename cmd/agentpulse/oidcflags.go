package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/go-chi/chi/v5"

	"github.com/agentpulse/agentpulse/audit"
	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/auth/oidc"
)

// withSSO adds single sign-on from the --oidc-config file to the server's
// verifier (the identity providers' access tokens, besides the product's
// tokens and session cookies) and returns the sign-in routes to mount.
// Without a file it returns jwt and no routes. admits lets the roster
// admit people whose groups map to no role (oidc.Config.Admits).
func withSSO(ctx context.Context, path string, jwt auth.Verifier, rec *audit.Log, admits func(tenant, sub string) bool, log *slog.Logger) (auth.TokenVerifier, func(chi.Router), error) {
	if path == "" {
		return jwt, nil, nil
	}
	cfg, err := oidc.LoadConfig(path)
	if err != nil {
		return nil, nil, &usageError{"--oidc-config: " + err.Error()}
	}
	cfg.Audit, cfg.Admits = rec, admits
	o, err := oidc.New(ctx, cfg, jwt.Secret, log)
	if err != nil {
		return nil, nil, fmt.Errorf("--oidc-config: %w", err)
	}
	log.Info("single sign-on configured", "tenants", len(cfg.Tenants), "public_url", cfg.PublicURL)
	return oidc.Verifier{OIDC: o, Next: jwt}, o.Routes, nil
}

// mountAll returns one mount of every non-nil m.
func mountAll(ms ...func(chi.Router)) func(chi.Router) {
	return func(r chi.Router) {
		for _, m := range ms {
			if m != nil {
				m(r)
			}
		}
	}
}
