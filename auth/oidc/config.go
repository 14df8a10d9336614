package oidc

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/agentpulse/agentpulse/audit"
	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/schemas"
)

// TenantConfig is one tenant's identity provider.
type TenantConfig struct {
	// Tenant is the agentpulse tenant its users sign into.
	Tenant string `json:"tenant"`
	// Issuer is the IdP's issuer URL (discovery at
	// Issuer/.well-known/openid-configuration).
	Issuer string `json:"issuer"`
	// ClientID and ClientSecret are the dashboard's client at the IdP.
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	// Audience is the aud API clients' access tokens must carry. Default
	// ClientID.
	Audience string `json:"audience,omitempty"`
	// Scopes are requested besides openid. Default ["profile", "groups",
	// "offline_access"].
	Scopes []string `json:"scopes,omitempty"`
	// SubjectClaim names the claim that is the user's id in agentpulse
	// (an agent's agent_id). Default "sub".
	SubjectClaim string `json:"subject_claim,omitempty"`
	// GroupsClaim names the claim listing the user's groups. Default
	// "groups".
	GroupsClaim string `json:"groups_claim,omitempty"`
	// Roles maps a group to a role (agent, supervisor, admin); a user in
	// several gets the strongest. A user in none is refused.
	Roles map[string]string `json:"roles"`
	// TeamPrefix: a group "team:t1" (with the default prefix "team:")
	// makes a supervisor lead team t1.
	TeamPrefix string `json:"team_prefix,omitempty"`
}

// Config configures New.
type Config struct {
	Tenants []TenantConfig `json:"tenants"`
	// PublicURL is the dashboard's external base URL (scheme://host[:port])
	// the IdP redirects back to (PublicURL/auth/callback). Required.
	PublicURL string `json:"public_url"`
	// SessionTTL is a session's lifetime before a refresh. Default 15
	// minutes.
	SessionTTL time.Duration `json:"-"`
	// KeyMaxAge is the longest a fetched copy of an IdP's signing keys
	// (JWKS) is used before it is fetched again, so a key the IdP retired
	// stops verifying within it; a shorter max-age in the JWKS answer's
	// Cache-Control wins (not below MinKeyAge). Default DefaultKeyMaxAge.
	KeyMaxAge time.Duration `json:"-"`
	// Audit records sign-ins, refused sign-ins and sessions the IdP no
	// longer admits; nil: none.
	Audit *audit.Log `json:"-"`
	// Admits, when set, admits a user whose groups map to no role (who
	// would get ErrNoRole) when it returns true for their tenant and sub:
	// the tenant's roster alone decides who gets in (auth/roster's
	// ModeRoster), and its role and teams apply on every request. The
	// session carries role agent until the roster's verifier replaces it.
	Admits func(tenant, sub string) bool `json:"-"`
}

// LoadConfig reads a JSON file {"public_url": …, "tenants": [...]}.
func LoadConfig(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, err
	}
	c, err := ParseConfig(b)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// ParseConfig decodes and checks a configuration (unknown fields refused);
// an error names the tenant and field.
func ParseConfig(b []byte) (Config, error) {
	var c Config
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.DisallowUnknownFields()
	if err := d.Decode(&c); err != nil {
		return Config{}, err
	}
	return c, c.check()
}

// check validates c, naming the tenant and field of the first problem.
func (c Config) check() error {
	if !strings.HasPrefix(c.PublicURL, "http://") && !strings.HasPrefix(c.PublicURL, "https://") {
		return errors.New("public_url: must be the dashboard's http(s)://host[:port]")
	}
	seen := map[string]bool{}
	audiences := map[[2]string]int{} // issuer, audience → tenant index
	for i, t := range c.Tenants {
		switch {
		case !schemas.ValidID(t.Tenant):
			return fmt.Errorf("tenants[%d].tenant: %q is not a tenant id", i, t.Tenant)
		case seen[t.Tenant]:
			return fmt.Errorf("tenants[%d].tenant: %q is configured twice", i, t.Tenant)
		case !strings.HasPrefix(t.Issuer, "https://") && !strings.HasPrefix(t.Issuer, "http://"):
			return fmt.Errorf("tenants[%d].issuer: must be an http(s) URL", i)
		case t.ClientID == "":
			return fmt.Errorf("tenants[%d].client_id: required", i)
		case len(t.Roles) == 0:
			return fmt.Errorf("tenants[%d].roles: map at least one group to a role", i)
		}
		for g, r := range t.Roles {
			if role, err := auth.ParseRole(r); err != nil || role == auth.RoleIngest {
				return fmt.Errorf("tenants[%d].roles[%q]: %q is not agent, supervisor or admin", i, g, r)
			}
		}
		seen[t.Tenant] = true
		aud := t.withDefaults().Audience
		if j, dup := audiences[[2]string{t.Issuer, aud}]; dup {
			return fmt.Errorf("tenants[%d]: same issuer and audience as tenants[%d]: their access tokens could not be told apart (give each its own client_id or audience)", i, j)
		}
		audiences[[2]string{t.Issuer, aud}] = i
	}
	return nil
}

func (t TenantConfig) withDefaults() TenantConfig {
	if t.Audience == "" {
		t.Audience = t.ClientID
	}
	if len(t.Scopes) == 0 {
		t.Scopes = []string{"profile", "groups", "offline_access"}
	}
	if t.SubjectClaim == "" {
		t.SubjectClaim = "sub"
	}
	if t.GroupsClaim == "" {
		t.GroupsClaim = "groups"
	}
	if t.TeamPrefix == "" {
		t.TeamPrefix = "team:"
	}
	return t
}

// rank orders roles: the strongest of a user's groups wins.
var rank = map[auth.Role]int{auth.RoleAgent: 1, auth.RoleSupervisor: 2, auth.RoleAdmin: 3}

// ErrNoRole refuses a user whose groups map to no role.
var ErrNoRole = errors.New("the identity provider gives this user no agentpulse role")

// claimsOf maps a verified token's claims to the product's, for tenant t.
func (t TenantConfig) claimsOf(raw map[string]any) (auth.Claims, error) {
	sub, _ := raw[t.SubjectClaim].(string)
	c := auth.Claims{Tenant: t.Tenant, Subject: sub}
	var groups []string
	switch g := raw[t.GroupsClaim].(type) {
	case []any:
		for _, v := range g {
			if s, ok := v.(string); ok {
				groups = append(groups, s)
			}
		}
	case string:
		groups = strings.Fields(g)
	}
	for _, g := range groups {
		if r, ok := t.Roles[g]; ok {
			if role, _ := auth.ParseRole(r); rank[role] > rank[c.Role] {
				c.Role = role
			}
		}
		if team, ok := strings.CutPrefix(g, t.TeamPrefix); ok && team != "" {
			c.Teams = append(c.Teams, team)
		}
	}
	if c.Role == "" {
		// The tenant and sub let Config.Admits admit a rostered person.
		return auth.Claims{Tenant: t.Tenant, Subject: sub}, ErrNoRole
	}
	if c.Role != auth.RoleSupervisor {
		c.Teams = nil
	}
	if err := c.Validate(); err != nil {
		return auth.Claims{}, err
	}
	return c, nil
}
