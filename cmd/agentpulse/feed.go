package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/agentpulse/agentpulse/ingest"
	"github.com/agentpulse/agentpulse/ingest/simulator"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/server/auth"
)

// simulatedWorld is the contact center `all --simulate` feeds: one tenant,
// seed 1, ending at the current hour.
func simulatedWorld(f *allFlags) simulator.Config {
	cfg := simulator.DefaultConfig(time.Now().UTC().Truncate(time.Hour))
	cfg.Agents, cfg.Days = f.simAgents, f.simDays
	return cfg
}

// backfillSimulated produces the simulated history through the producer,
// a day at a time, each batch durably acknowledged.
func backfillSimulated(ctx context.Context, f *allFlags, p *ingest.Producer, log *slog.Logger) error {
	gen, err := simulator.New(simulatedWorld(f), 0)
	if err != nil {
		return fmt.Errorf("simulated history: %w", err)
	}
	began := time.Now()
	var sent int
	log.Info("backfilling the simulated history", "agents", f.simAgents, "days", f.simDays)
	_, err = gen.Run(ctx, func(b simulator.Batch) error {
		for i := 0; i < len(b.Records); i += 20000 {
			if err := p.Produce(ctx, b.Records[i:min(i+20000, len(b.Records))]); err != nil {
				return err
			}
		}
		sent += len(b.Records)
		return nil
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("backfill simulated history: %w", err)
	}
	log.Info("simulated history backfilled", "interactions", sent, "took", time.Since(began).Round(time.Millisecond))
	return nil
}

// liveSimulated feeds live simulated interactions until ctx ends.
func liveSimulated(ctx context.Context, f *allFlags, p *ingest.Producer, log *slog.Logger) error {
	live, err := simulator.NewLive(simulator.LiveConfig{World: simulatedWorld(f), Rate: f.simRate})
	if err != nil {
		return fmt.Errorf("live simulated feed: %w", err)
	}
	log.Info("live simulated feed running", "rate_per_s", f.simRate)
	err = live.Run(ctx, func(its []schemas.Interaction) error { return p.Produce(ctx, its) })
	if err != nil && !errors.Is(err, context.Canceled) && ctx.Err() == nil {
		return fmt.Errorf("live simulated feed: %w", err)
	}
	return nil
}

// printWelcome tells the user where the product listens and hands out
// ready-to-use tokens on the simulated feed.
func printWelcome(w io.Writer, f *allFlags) error {
	fmt.Fprintf(w, "agentpulse is running on http://%s: POST /v1/ingest/interactions, GET /v1/agents/{agent}/performance?model=…, /healthz, /readyz, /metrics\n", f.ingest.addr)
	if !f.simulate {
		fmt.Fprintln(w, "Mint tokens with: agentpulse token --tenant T --sub S --role agent|supervisor|admin|ingest")
		return nil
	}
	v, err := f.ingest.verifier()
	if err != nil {
		return err
	}
	world := simulatedWorld(f)
	tenant := simulator.TenantIDs(world.Tenants)[0]
	tokens := []struct {
		who string
		c   auth.Claims
	}{
		{"agent agent-0001", auth.Claims{Tenant: tenant, Subject: "agent-0001", Role: auth.RoleAgent}},
		{"supervisor of team-01", auth.Claims{Tenant: tenant, Subject: "lead-01", Role: auth.RoleSupervisor, Teams: []string{"team-01"}}},
		{"admin", auth.Claims{Tenant: tenant, Subject: "admin", Role: auth.RoleAdmin}},
		{"ingest", auth.Claims{Tenant: tenant, Subject: "feed", Role: auth.RoleIngest}},
	}
	fmt.Fprintf(w, "Simulated contact center %q: %d agents, %d days of history, %.0f live interactions/s.\n", tenant, f.simAgents, f.simDays, f.simRate)
	fmt.Fprintln(w, "Tokens (valid 30 days):")
	for _, t := range tokens {
		tok, err := auth.Mint(v.Secret, t.c, 30*24*time.Hour)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  %-22s %s\n", t.who, tok)
	}
	return nil
}
