package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/ingest"
	"github.com/agentpulse/agentpulse/ingest/simulator"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/server/dashboard"
)

// simulatedWorld is the contact center `all --simulate` feeds: one tenant,
// seed 1, ending at the current hour.
func simulatedWorld(f *allFlags) simulator.Config {
	cfg := simulator.DefaultConfig(time.Now().UTC().Truncate(time.Hour))
	cfg.Agents, cfg.Days = f.simAgents, f.simDays
	cfg.NoPredictions = !f.simPredictions
	return cfg
}

// backfillSimulated produces the simulated history of st (its period,
// whatever the flags say now) through the producer, a day at a time, each
// batch durably acknowledged, and marks st done once all of it is on the
// broker.
func backfillSimulated(ctx context.Context, f *allFlags, st historyState, p *ingest.Producer, log *slog.Logger) error {
	world := simulatedWorld(f)
	world.End, world.Days, world.Agents = st.End, st.Days, st.Agents
	gen, err := simulator.New(world, 0)
	if err != nil {
		return fmt.Errorf("simulated history: %w", err)
	}
	began := time.Now()
	var sent int
	log.Info("backfilling the simulated history", "agents", st.Agents, "days", st.Days, "end", st.End)
	_, err = gen.Run(ctx, func(b simulator.Batch) error {
		for i := 0; i < len(b.Records); i += 20000 {
			if err := p.Produce(ctx, b.Records[i:min(i+20000, len(b.Records))]); err != nil {
				return err
			}
		}
		sent += len(b.Records)
		return p.ProduceOutcomes(ctx, b.Outcomes)
	})
	switch {
	case ctx.Err() != nil:
		log.Info("backfill of the simulated history interrupted; it resumes at the next start", "interactions", sent)
		return nil
	case err != nil:
		return fmt.Errorf("backfill simulated history: %w", err)
	}
	st.Done = true
	if err := st.save(f.ingest.dataDir); err != nil {
		return err
	}
	log.Info("simulated history backfilled", "interactions", sent, "took", time.Since(began).Round(time.Millisecond))
	return nil
}

func liveSimulated(ctx context.Context, f *allFlags, p *ingest.Producer, log *slog.Logger) error {
	live, err := simulator.NewLive(simulator.LiveConfig{World: simulatedWorld(f), Rate: f.simRate,
		Outcomes: func(os []schemas.Outcome) error { return p.ProduceOutcomes(ctx, os) }})
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

// demoTokens are the ready-to-use tokens of the simulated feed: an
// agent, a supervisor, an admin (offered on the dashboard's sign-in page
// too) and an ingest client. Nil without --simulate.
func demoTokens(f *allFlags) ([]dashboard.DemoToken, error) {
	if !f.simulate {
		return nil, nil
	}
	v, err := f.ingest.verifier()
	if err != nil {
		return nil, err
	}
	tenant := simulator.TenantIDs(simulatedWorld(f).Tenants)[0]
	var out []dashboard.DemoToken
	for _, t := range []struct {
		who string
		c   auth.Claims
	}{
		{"agent agent-0001", auth.Claims{Tenant: tenant, Subject: "agent-0001", Role: auth.RoleAgent}},
		{"supervisor of team-01", auth.Claims{Tenant: tenant, Subject: "lead-01", Role: auth.RoleSupervisor, Teams: []string{"team-01"}}},
		{"admin", auth.Claims{Tenant: tenant, Subject: "admin", Role: auth.RoleAdmin}},
		{"ingest", auth.Claims{Tenant: tenant, Subject: "feed", Role: auth.RoleIngest}},
	} {
		tok, err := auth.Mint(v.Secret, t.c, 30*24*time.Hour)
		if err != nil {
			return nil, err
		}
		out = append(out, dashboard.DemoToken{Who: t.who, Role: string(t.c.Role), Token: tok})
	}
	return out, nil
}

// dashboardTokens are the demo tokens the sign-in page offers: those of
// a dashboard role.
func dashboardTokens(all []dashboard.DemoToken) []dashboard.DemoToken {
	var out []dashboard.DemoToken
	for _, t := range all {
		if t.Role != string(auth.RoleIngest) {
			out = append(out, t)
		}
	}
	return out
}

// printWelcome tells the user where the product listens and hands out
// ready-to-use tokens on the simulated feed.
func printWelcome(w io.Writer, f *allFlags, tokens []dashboard.DemoToken) error {
	fmt.Fprintf(w, "agentpulse is running: open the dashboard at http://%s/\n", f.ingest.addr)
	fmt.Fprintln(w, "  API (schemas/openapi.yaml): POST /v1/ingest/interactions, GET /v1/agents/{agent}/performance?model=…, /v1/agents/{agent}/plans, /v1/teams/{team}/agents")
	fmt.Fprintf(w, "  live updates: ws://%s/v1/ws?access_token=TOKEN, then {\"op\":\"subscribe\",\"channel\":\"agent:agent-0001\"}\n", f.ingest.addr)
	fmt.Fprintln(w, "  operations: /healthz, /readyz, /metrics")
	if !f.simulate {
		fmt.Fprintln(w, "Mint tokens with: agentpulse token --tenant T --sub S --role agent|supervisor|admin|ingest")
		return nil
	}
	fmt.Fprintf(w, "Simulated contact center %q: %d agents, %d days of history, %.0f live interactions/s.\n",
		simulator.TenantIDs(simulatedWorld(f).Tenants)[0], f.simAgents, f.simDays, f.simRate)
	fmt.Fprintln(w, "Tokens (valid 30 days; the dashboard's sign-in page offers the first three):")
	for _, t := range tokens {
		fmt.Fprintf(w, "  %-22s %s\n", t.Who, t.Token)
	}
	return nil
}
