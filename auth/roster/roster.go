package roster

import (
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/schemas"
)

// Mode is who decides a tenant's people's roles and teams.
type Mode string

// The modes.
const (
	// ModeIdP: the token decides (the identity provider's groups, or the
	// claims of a product token); the roster only gives names.
	ModeIdP Mode = "idp"
	// ModeOverride: a person the roster lists gets its role and teams;
	// anyone else keeps their token's. The default: an empty roster
	// changes nothing, and an admin can correct one person (promote a
	// team leader, move one to another team) without waiting for the
	// identity provider's administrators.
	ModeOverride Mode = "override"
	// ModeRoster: only the people the roster lists may use the tenant,
	// with the roster's role and teams; any other token of a person is
	// refused (403). For identity providers without usable groups.
	ModeRoster Mode = "roster"
)

// DefaultMode is a tenant's mode until an admin sets one.
const DefaultMode = ModeOverride

// Modes lists the modes.
var Modes = []Mode{ModeIdP, ModeOverride, ModeRoster}

// Valid reports whether m is one of Modes.
func (m Mode) Valid() bool { return slices.Contains(Modes, m) }

// Limits of a person's fields.
const (
	MaxNameRunes = 128
	MaxTeams     = 100
)

// Person is one entry of a tenant's roster.
type Person struct {
	// Subject is the token's sub: the agent id of an agent, the user id
	// of anyone else.
	Subject string `json:"subject"`
	// Name is the display name (may be empty: the id is shown).
	Name string `json:"name,omitempty"`
	// Role is agent, supervisor or admin.
	Role auth.Role `json:"role"`
	// Teams are the teams a supervisor leads (none for other roles).
	Teams     []string  `json:"teams,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by"`
}

// Check returns why p is refused, as a field and a message, or "", "".
func (p Person) Check() (field, msg string) {
	switch {
	case !schemas.ValidID(p.Subject):
		return "subject", "subject must be 1 to 128 of the letters A-Z or a-z, digits, '.', '_', '@' or '-', starting with a letter or digit"
	case !utf8.ValidString(p.Name) || utf8.RuneCountInString(p.Name) > MaxNameRunes:
		return "name", fmt.Sprintf("name must be at most %d characters", MaxNameRunes)
	case p.Role != auth.RoleAgent && p.Role != auth.RoleSupervisor && p.Role != auth.RoleAdmin:
		return "role", "role must be agent, supervisor or admin"
	case len(p.Teams) > 0 && p.Role != auth.RoleSupervisor:
		return "teams", "only a supervisor leads teams; the role is " + string(p.Role)
	case len(p.Teams) > MaxTeams:
		return "teams", fmt.Sprintf("at most %d teams", MaxTeams)
	}
	for _, r := range p.Name {
		if !unicode.IsPrint(r) {
			return "name", "name must be printable characters"
		}
	}
	for i, t := range p.Teams {
		if !schemas.ValidID(t) {
			return "teams", fmt.Sprintf("team %d (%q) is not a team id: a team id is 1 to 128 of A-Z a-z 0-9 . _ @ -, starting with a letter or digit", i+1, clip(t))
		}
	}
	return "", ""
}

// clip cuts s to 40 bytes for a message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// entry is the newest state of one person (removed or not).
type entry struct {
	p       Person
	removed bool
	version int64
}

type tenantState struct {
	mode        Mode
	modeVersion int64
	people      map[string]entry
	labels      map[labelKey]labelEntry // display names of teams, inquiries, models (names.go)
}

// Roster is the in-memory roster of every tenant, kept by a Log. It is
// safe for concurrent use; Resolve never blocks on the broker.
type Roster struct {
	mu       sync.RWMutex
	tenants  map[string]*tenantState
	onChange []func(tenant string)
	onNames  []func(tenant string, changed Names) // names.go
}

// NewRoster returns an empty roster.
func NewRoster() *Roster { return &Roster{tenants: map[string]*tenantState{}} }

// OnChange registers f, called (outside the roster's lock, from the
// goroutine that applied the change) after any change of a tenant's
// people or mode: the websocket hub re-authorizes its connections.
func (r *Roster) OnChange(f func(tenant string)) {
	r.mu.Lock()
	r.onChange = append(r.onChange, f)
	r.mu.Unlock()
}

func (r *Roster) tenant(t string) *tenantState {
	st := r.tenants[t]
	if st == nil {
		st = &tenantState{people: map[string]entry{}}
		r.tenants[t] = st
	}
	return st
}

// apply keeps rec unless a newer state of its key is held, and tells the
// OnChange functions when it changed something.
func (r *Roster) apply(rec record) {
	r.mu.Lock()
	st := r.tenant(rec.Tenant)
	changed := false
	var named *Names // a display name that changed (OnNames)
	switch rec.Kind {
	case kindMode:
		if rec.Version > st.modeVersion {
			st.mode, st.modeVersion, changed = rec.Mode, rec.Version, true
		}
	case kindPerson:
		if old, ok := st.people[rec.Person.Subject]; !ok || rec.Version > old.version {
			st.people[rec.Person.Subject] = entry{p: *rec.Person, removed: rec.Removed, version: rec.Version}
			changed = true
			if before, after := old.name(), st.people[rec.Person.Subject].name(); before != after {
				named = &Names{People: map[string]string{rec.Person.Subject: after}}
			}
		}
	case kindName:
		// A display name changes nobody's access: no OnChange.
		named = st.applyLabel(rec)
	}
	fs := slices.Clone(r.onChange)
	var ns []func(string, Names)
	if named != nil {
		ns = slices.Clone(r.onNames)
	}
	r.mu.Unlock()
	if changed {
		for _, f := range fs {
			f(rec.Tenant)
		}
	}
	for _, f := range ns {
		f(rec.Tenant, *named)
	}
}

// name is the person's display name while listed, else "".
func (e entry) name() string {
	if e.removed {
		return ""
	}
	return e.p.Name
}

// Mode returns the tenant's mode.
func (r *Roster) Mode(tenant string) Mode {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if st := r.tenants[tenant]; st != nil && st.mode != "" {
		return st.mode
	}
	return DefaultMode
}

// Get returns the tenant's person sub, when listed.
func (r *Roster) Get(tenant, sub string) (Person, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.getLocked(tenant, sub)
}

func (r *Roster) getLocked(tenant, sub string) (Person, bool) {
	st := r.tenants[tenant]
	if st == nil {
		return Person{}, false
	}
	e, ok := st.people[sub]
	if !ok || e.removed {
		return Person{}, false
	}
	return e.p, true
}

// version is the version of the tenant's person sub (removed or not).
func (r *Roster) version(tenant, sub string) int64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if st := r.tenants[tenant]; st != nil {
		return st.people[sub].version
	}
	return 0
}

func (r *Roster) modeVersion(tenant string) int64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if st := r.tenants[tenant]; st != nil {
		return st.modeVersion
	}
	return 0
}

// List returns the tenant's people, by subject.
func (r *Roster) List(tenant string) []Person {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := []Person{}
	if st := r.tenants[tenant]; st != nil {
		for _, e := range st.people {
			if !e.removed {
				out = append(out, e.p)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Subject < out[j].Subject })
	return out
}

// Names returns the display names of the tenant's people who have one,
// by subject.
func (r *Roster) Names(tenant string) map[string]string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := map[string]string{}
	if st := r.tenants[tenant]; st != nil {
		for sub, e := range st.people {
			if !e.removed && e.p.Name != "" {
				out[sub] = e.p.Name
			}
		}
	}
	return out
}

// Resolve applies the tenant's roster to the claims of a verified token:
// in ModeOverride and ModeRoster a listed person gets the roster's role
// and teams; in ModeRoster anyone not listed is refused with an error
// matching auth.ErrNotAllowed; ModeIdP keeps the token's. Machine tokens
// (role ingest, API keys) are never changed.
func (r *Roster) Resolve(c auth.Claims) (auth.Claims, error) {
	if c.Role != auth.RoleAgent && c.Role != auth.RoleSupervisor && c.Role != auth.RoleAdmin {
		return c, nil
	}
	mode := r.Mode(c.Tenant)
	if mode == ModeIdP {
		return c, nil
	}
	p, ok := r.Get(c.Tenant, c.Subject)
	if !ok {
		if mode == ModeRoster {
			return auth.Claims{}, fmt.Errorf("%w (%s is not listed)", auth.ErrNotAllowed, c.Subject)
		}
		return c, nil
	}
	c.Role, c.Teams = p.Role, slices.Clone(p.Teams)
	return c, nil
}

// Verifier applies a Roster to the claims of Next: every request and
// every websocket re-authorization sees the roster's current state.
type Verifier struct {
	Roster *Roster
	Next   auth.TokenVerifier
}

// Verify implements auth.TokenVerifier.
func (v Verifier) Verify(token string) (auth.Claims, error) {
	c, err := v.Next.Verify(token)
	if err != nil {
		return c, err
	}
	return v.Roster.Resolve(c)
}

// Admits reports whether the tenant's roster alone decides who gets in
// (ModeRoster) and lists sub: single sign-on (auth/oidc Config.Admits)
// then admits a person whose identity-provider groups map to no role.
func (r *Roster) Admits(tenant, sub string) bool {
	if r.Mode(tenant) != ModeRoster {
		return false
	}
	_, ok := r.Get(tenant, sub)
	return ok
}
