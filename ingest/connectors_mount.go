package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/agentpulse/agentpulse/ingest/admit"
	"github.com/agentpulse/agentpulse/ingest/connectors"
	"github.com/agentpulse/agentpulse/ingest/connectors/amazonconnect"
	"github.com/agentpulse/agentpulse/ingest/connectors/genesys"
	"github.com/agentpulse/agentpulse/ingest/connectors/twilio"
	"github.com/agentpulse/agentpulse/schemas"
)

// ConnectorsConfig configures the CCaaS connector endpoints.
type ConnectorsConfig struct {
	// CredentialsFile is the JSON file of each tenant's delivery secrets
	// (Firehose access keys, EventBridge connection secrets, Twilio auth
	// tokens). Empty: the connector endpoints are not served.
	CredentialsFile string
	// MappingFile is the JSON file of each tenant's mapping rules (queue,
	// wrap-up and attributes → inquiry, channel → model, …). Empty: the
	// built-in rules.
	MappingFile string
	// TwilioPublicBaseURL is the public URL prefix Twilio calls, for its
	// signature. Empty: rebuilt from the request.
	TwilioPublicBaseURL string
	// MaxInFlight bounds the deliveries handled at once over every
	// connector; more are answered 429 (connectors.HandlerConfig.InFlight).
	// Default DefaultMaxInFlight.
	MaxInFlight int
	// MaxInFlightPerTenant bounds the deliveries of one tenant (or, for
	// Twilio, whose signature covers the body, of every delivery not yet
	// authenticated) among MaxInFlight. Default a quarter of it, at least 1.
	MaxInFlightPerTenant int
	// APIKeys, when set, lets Firehose and EventBridge deliveries
	// authenticate with agentpulse API keys (connectors.KeyChecker).
	APIKeys connectors.KeyChecker
	// ExpireEvery is how often joining connectors (Genesys, Twilio) are
	// asked for interactions whose other half never came. Default 5s.
	ExpireEvery time.Duration
	// Logger receives refused deliveries. Default slog.Default().
	Logger *slog.Logger
	// Registerer registers the connectors' metrics; nil registers nothing.
	Registerer prometheus.Registerer
}

// expirer is a connector that holds half-joined state.
type expirer interface {
	Name() string
	Expire(now time.Time) []connectors.Result
}

// Connectors serves POST /v1/ingest/{connector} for every CCaaS connector
// and keeps their results with a Producer.
type Connectors struct {
	cfg      ConnectorsConfig
	producer *Producer
	handlers map[string]*connectors.Handler
	expirers []expirer
}

// NewConnectors loads the credentials and mapping files and builds the
// connectors. It returns nil, nil when no credentials file is configured.
func NewConnectors(cfg ConnectorsConfig, p *Producer) (*Connectors, error) {
	if cfg.CredentialsFile == "" {
		return nil, nil
	}
	if cfg.ExpireEvery <= 0 {
		cfg.ExpireEvery = 5 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	creds, err := connectors.LoadCredentials(cfg.CredentialsFile)
	if err != nil {
		return nil, fmt.Errorf("connector credentials %s: %w", cfg.CredentialsFile, err)
	}
	var mapping *connectors.Mapping
	if cfg.MappingFile != "" {
		if mapping, err = connectors.LoadMapping(cfg.MappingFile); err != nil {
			return nil, fmt.Errorf("connector mapping %s: %w", cfg.MappingFile, err)
		}
	}
	ac, err := amazonconnect.New(amazonconnect.Config{Credentials: creds, Mapping: mapping, APIKeys: cfg.APIKeys})
	if err != nil {
		return nil, fmt.Errorf("amazon-connect connector: %w", err)
	}
	gc, err := genesys.New(genesys.Config{Credentials: creds, Mapping: mapping, APIKeys: cfg.APIKeys})
	if err != nil {
		return nil, fmt.Errorf("genesys-cloud connector: %w", err)
	}
	tw, err := twilio.New(twilio.Config{Credentials: creds, Mapping: mapping, PublicBaseURL: cfg.TwilioPublicBaseURL})
	if err != nil {
		return nil, fmt.Errorf("twilio-taskrouter connector: %w", err)
	}
	c := &Connectors{cfg: cfg, producer: p, handlers: map[string]*connectors.Handler{}}
	inFlight := cfg.MaxInFlight
	if inFlight <= 0 {
		inFlight = DefaultMaxInFlight
	}
	hc := connectors.HandlerConfig{Logger: cfg.Logger, Metrics: connectors.NewMetrics(cfg.Registerer), InFlight: admit.New(inFlight, cfg.MaxInFlightPerTenant)}
	for _, conn := range []connectors.Connector{ac, gc, tw} {
		c.handlers[conn.Name()] = connectors.NewHandler(conn, c.keep, hc)
	}
	c.expirers = []expirer{gc, tw}
	return c, nil
}

// Routes mounts POST /v1/ingest/{connector} for each connector.
func (c *Connectors) Routes(r chi.Router) {
	for name, h := range c.handlers {
		r.Method("POST", "/v1/ingest/"+name, h)
	}
}

// Run asks the joining connectors for expired half-joins every
// ExpireEvery and keeps what they emit, until ctx ends.
func (c *Connectors) Run(ctx context.Context) error {
	t := time.NewTicker(c.cfg.ExpireEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-t.C:
			for _, e := range c.expirers {
				results := e.Expire(now)
				if len(results) == 0 {
					continue
				}
				if err := c.keep(ctx, e.Name(), "", results); err != nil {
					c.cfg.Logger.Error("keep expired connector results", "connector", e.Name(), "results", len(results), "err", err)
				}
			}
		}
	}
}

// keep produces a delivery's interactions and their outcomes and
// dead-letters its failures,
// durably, before the connector answers the platform.
func (c *Connectors) keep(ctx context.Context, connector, tenant string, results []connectors.Result) error {
	var its []schemas.Interaction
	var outs []schemas.Outcome
	var rejected []Rejected
	for _, r := range results {
		outs = append(outs, r.Outcomes...)
		switch {
		case r.Interaction != nil:
			its = append(its, *r.Interaction)
		case r.Err != nil:
			t := r.Tenant
			if t == "" {
				t = tenant
			}
			raw, _ := json.Marshal(map[string]string{"connector": connector, "ref": r.Ref, "error": r.Err.Error()})
			rejected = append(rejected, Rejected{Tenant: t, Stage: connector, Reason: r.Err.Error(), Raw: raw})
		}
	}
	return errors.Join(c.producer.Produce(ctx, its), c.producer.ProduceOutcomes(ctx, outs), c.producer.DeadLetter(ctx, rejected))
}
