package auth

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/agentpulse/agentpulse/schemas"
)

// Role is what a token's holder may do.
type Role string

// The roles. Their meaning is enforced by the handlers that admit them.
const (
	// RoleAgent sees their own data and plans.
	RoleAgent Role = "agent"
	// RoleSupervisor sees the agents and plans of the teams in Teams.
	RoleSupervisor Role = "supervisor"
	// RoleAdmin sees the whole tenant and may also ingest.
	RoleAdmin Role = "admin"
	// RoleIngest may only send interactions (machine-to-machine).
	RoleIngest Role = "ingest"
	// RoleWallboard may only read one model's wallboard (Claims.Wallboard):
	// a TV's revocable wallboard key (auth/apikeys). It is never a token's
	// role (not in Roles, not Valid): only a key grants it.
	RoleWallboard Role = "wallboard"
)

// Roles lists every role, in the order the documentation gives them.
var Roles = []Role{RoleAgent, RoleSupervisor, RoleAdmin, RoleIngest}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	switch r {
	case RoleAgent, RoleSupervisor, RoleAdmin, RoleIngest:
		return true
	}
	return false
}

// ParseRole returns the role named s, or a *ClaimError matching
// ErrUnknownRole (ErrMissingClaim when s is empty).
func ParseRole(s string) (Role, error) {
	r := Role(s)
	switch {
	case s == "":
		return "", &ClaimError{Claim: "role", Err: ErrMissingClaim, Detail: "want " + roleList()}
	case !r.Valid():
		return "", &ClaimError{Claim: "role", Err: ErrUnknownRole, Detail: quote(s) + ", want " + roleList()}
	}
	return r, nil
}

// Claims is what a verified token says about its holder.
type Claims struct {
	// Tenant is the contact-center organisation the token is scoped to; it
	// has the form of an interaction's tenant_id.
	Tenant string
	// Subject is the agent id (role agent) or the user or client id.
	Subject string
	// Role is what the holder may do.
	Role Role
	// Teams are the teams a supervisor leads; empty for other roles.
	Teams []string
	// Wallboard is the model whose wallboard a RoleWallboard key reads;
	// empty for every other role.
	Wallboard string
	// IssuedAt and ExpiresAt bound the token's validity; Mint sets them
	// and Verify fills them from iat (zero when absent) and exp.
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// Leads reports whether the claims name team among Teams.
func (c Claims) Leads(team string) bool {
	for _, t := range c.Teams {
		if t == team {
			return true
		}
	}
	return false
}

// Validate checks tenant, sub, role and teams: tenant, sub and each team
// must be ids (1 to 128 of A-Z a-z 0-9 . _ @ -, starting with a letter or
// digit, as tenant_id, agent_id and team_id are), role one of Roles. It
// returns the first problem as a *ClaimError.
func (c Claims) Validate() error {
	if err := checkID("tenant", c.Tenant); err != nil {
		return err
	}
	if err := checkID("sub", c.Subject); err != nil {
		return err
	}
	if _, err := ParseRole(string(c.Role)); err != nil {
		return err
	}
	for i, t := range c.Teams {
		if !schemas.ValidID(t) {
			return &ClaimError{Claim: "teams", Err: ErrInvalidClaim,
				Detail: fmt.Sprintf("entry %d is %s; %s", i, quote(t), idRule)}
		}
	}
	return nil
}

// idRule says in words what schemas.ValidID accepts.
const idRule = "want 1 to 128 of the letters A-Z or a-z, digits, '.', '_', '@' or '-', starting with a letter or digit"

// checkID returns a *ClaimError unless v is a valid id.
func checkID(claim, v string) error {
	switch {
	case v == "":
		return &ClaimError{Claim: claim, Err: ErrMissingClaim}
	case !schemas.ValidID(v):
		return &ClaimError{Claim: claim, Err: ErrInvalidClaim, Detail: quote(v) + "; " + idRule}
	}
	return nil
}

// quote quotes s for a message, cut to 48 bytes.
func quote(s string) string {
	if len(s) > 48 {
		s = s[:48] + "…"
	}
	return strconv.Quote(s)
}

func roleList() string {
	names := make([]string, len(Roles))
	for i, r := range Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}
