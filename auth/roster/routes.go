package roster

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/agentpulse/agentpulse/audit"
	"github.com/agentpulse/agentpulse/auth"
)

// Route paths.
const (
	PathRoster = "/v1/roster"
	PathMode   = "/v1/roster/mode"
	PathPerson = "/v1/roster/people/{subject}"
	PathNames  = "/v1/people/names"
	PathMe     = "/v1/me"
	// PathAllNames: GET the display names of people, teams, inquiries
	// and models; PUT (admins) those of teams, inquiries and models.
	PathAllNames = "/v1/names"
)

// maxNamesBody bounds the body of PUT /v1/names (MaxNamesPerPut names).
const maxNamesBody = 256 << 10

// maxBody bounds a request body of these routes.
const maxBody = 8 << 10

// API serves the roster's routes over a Log.
type API struct {
	Log *Log
	// Verifier checks tokens; it should apply the roster (Verifier), so
	// that a demoted admin is refused at once.
	Verifier auth.TokenVerifier
	Logger   *slog.Logger
	// Audit records every change; nil: none.
	Audit *audit.Log
}

// Routes mounts, for role admin: GET /v1/roster, PUT /v1/roster/mode,
// PUT and DELETE /v1/roster/people/{subject}, PUT /v1/names; for every
// person (agent, supervisor, admin) and a TV's wallboard key (the names
// on its board): GET /v1/people/names, GET /v1/names and GET /v1/me.
func (a *API) Routes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(auth.Require(a.Verifier, auth.RoleAdmin))
		r.Get(PathRoster, a.list)
		r.Put(PathMode, a.setMode)
		r.Put(PathPerson, a.put)
		r.Delete(PathPerson, a.remove)
		r.Put(PathAllNames, a.putNames)
	})
	r.Group(func(r chi.Router) {
		r.Use(auth.Require(a.Verifier, auth.RoleAgent, auth.RoleSupervisor, auth.RoleAdmin, auth.RoleWallboard))
		r.Get(PathNames, a.names)
		r.Get(PathAllNames, a.allNames)
		r.Get(PathMe, a.me)
	})
}

// View is a tenant's roster as GET /v1/roster answers it.
type View struct {
	Mode   Mode     `json:"mode"`
	People []Person `json:"people"`
}

func (a *API) list(w http.ResponseWriter, r *http.Request) {
	c, _ := auth.ClaimsFrom(r.Context())
	if !a.ready(w, r) {
		return
	}
	ro := a.Log.Roster()
	writeJSON(w, http.StatusOK, View{Mode: ro.Mode(c.Tenant), People: ro.List(c.Tenant)})
}

// PersonBody is the body of PUT /v1/roster/people/{subject}.
type PersonBody struct {
	Name  string   `json:"name"`
	Role  string   `json:"role"`
	Teams []string `json:"teams"`
}

// DecodePerson reads a strict PersonBody from b and returns the person
// named sub, or the field and message of the first problem.
func DecodePerson(b []byte, sub string) (Person, string, string) {
	var in PersonBody
	if err := strictDecode(b, &in); err != nil {
		return Person{}, "body", "the body is not the expected JSON object: " + err.Error()
	}
	p := Person{Subject: sub, Name: strings.TrimSpace(in.Name), Role: auth.Role(in.Role), Teams: in.Teams}
	if field, msg := p.Check(); field != "" {
		return Person{}, field, msg
	}
	slices.Sort(p.Teams)
	p.Teams = slices.Compact(p.Teams)
	return p, "", ""
}

func (a *API) put(w http.ResponseWriter, r *http.Request) {
	c, _ := auth.ClaimsFrom(r.Context())
	b, ok := readBody(w, r)
	if !ok || !a.ready(w, r) {
		return
	}
	p, field, msg := DecodePerson(b, chi.URLParam(r, "subject"))
	if field != "" {
		auth.WriteError(w, http.StatusBadRequest, msg, field)
		return
	}
	prev, existed, err := a.Log.Put(r.Context(), c.Tenant, p, c)
	if err != nil {
		a.fail(w, err)
		return
	}
	now, _ := a.Log.Roster().Get(c.Tenant, p.Subject)
	switch {
	case !existed:
		a.Audit.Record(r.Context(), audit.By(c, audit.RoleChanged, p.Subject, "added as "+describe(now)))
	case prev.Role != now.Role || !slices.Equal(prev.Teams, now.Teams):
		a.Audit.Record(r.Context(), audit.By(c, audit.RoleChanged, p.Subject, describe(prev)+" → "+describe(now)))
	}
	if existed && prev.Name != now.Name {
		a.Audit.Record(r.Context(), audit.By(c, audit.NameChanged, p.Subject, fmt.Sprintf("%q → %q", prev.Name, now.Name)))
	}
	a.logger().Info("roster: person set", "tenant", c.Tenant, "subject", p.Subject, "role", p.Role, "by", c.Subject)
	status := http.StatusOK
	if !existed {
		status = http.StatusCreated
	}
	writeJSON(w, status, now)
}

// describe says a person's role and teams in words.
func describe(p Person) string {
	if p.Role == auth.RoleSupervisor {
		if len(p.Teams) == 0 {
			return "supervisor of no team"
		}
		return "supervisor of " + strings.Join(p.Teams, ", ")
	}
	return string(p.Role)
}

func (a *API) remove(w http.ResponseWriter, r *http.Request) {
	c, _ := auth.ClaimsFrom(r.Context())
	if !a.ready(w, r) {
		return
	}
	p, err := a.Log.Remove(r.Context(), c.Tenant, chi.URLParam(r, "subject"), c)
	if err != nil {
		a.fail(w, err)
		return
	}
	a.Audit.Record(r.Context(), audit.By(c, audit.PersonRemoved, p.Subject, "was "+describe(p)))
	a.logger().Info("roster: person removed", "tenant", c.Tenant, "subject", p.Subject, "by", c.Subject)
	writeJSON(w, http.StatusOK, p)
}

// ModeBody is the body of PUT /v1/roster/mode.
type ModeBody struct {
	Mode string `json:"mode"`
}

func (a *API) setMode(w http.ResponseWriter, r *http.Request) {
	c, _ := auth.ClaimsFrom(r.Context())
	b, ok := readBody(w, r)
	if !ok || !a.ready(w, r) {
		return
	}
	var in ModeBody
	if err := strictDecode(b, &in); err != nil {
		auth.WriteError(w, http.StatusBadRequest, "the body is not the expected JSON object: "+err.Error(), "body")
		return
	}
	if !Mode(in.Mode).Valid() {
		auth.WriteError(w, http.StatusBadRequest, "mode must be idp (the identity provider's groups decide), override (the roster overrides them for the people it lists) or roster (only the roster's people may sign in)", "mode")
		return
	}
	prev, err := a.Log.SetMode(r.Context(), c.Tenant, Mode(in.Mode), c)
	if err != nil {
		a.fail(w, err)
		return
	}
	if prev != Mode(in.Mode) {
		a.Audit.Record(r.Context(), audit.By(c, audit.RosterModeChanged, "", string(prev)+" → "+in.Mode))
	}
	ro := a.Log.Roster()
	writeJSON(w, http.StatusOK, View{Mode: ro.Mode(c.Tenant), People: ro.List(c.Tenant)})
}

func (a *API) names(w http.ResponseWriter, r *http.Request) {
	c, _ := auth.ClaimsFrom(r.Context())
	writeJSON(w, http.StatusOK, map[string]map[string]string{"names": a.Log.Roster().Names(c.Tenant)})
}

func (a *API) allNames(w http.ResponseWriter, r *http.Request) {
	c, _ := auth.ClaimsFrom(r.Context())
	writeJSON(w, http.StatusOK, a.Log.Roster().AllNames(c.Tenant))
}

// putNames sets or removes display names of teams, inquiries and models
// (NamesBody), audits each change and answers every name as GET does.
func (a *API) putNames(w http.ResponseWriter, r *http.Request) {
	c, _ := auth.ClaimsFrom(r.Context())
	b, ok := readBodyMax(w, r, maxNamesBody)
	if !ok || !a.ready(w, r) {
		return
	}
	labels, field, msg := DecodeNames(b)
	if field != "" {
		auth.WriteError(w, http.StatusBadRequest, msg, field)
		return
	}
	done, err := a.Log.SetNames(r.Context(), c.Tenant, labels, c.Subject)
	for _, ch := range done {
		a.Audit.Record(r.Context(), audit.By(c, audit.DisplayNameChanged, fmt.Sprintf("%s %s", ch.Kind, ch.ID), fmt.Sprintf("%q → %q", ch.From, ch.To)))
	}
	if err != nil {
		if errors.Is(err, ErrTooManyNames) {
			auth.WriteError(w, http.StatusConflict, err.Error()+"; remove names no longer used first", "")
			return
		}
		a.fail(w, err)
		return
	}
	if len(done) > 0 {
		a.logger().Info("roster: display names set", "tenant", c.Tenant, "changed", len(done), "by", c.Subject)
	}
	writeJSON(w, http.StatusOK, a.Log.Roster().AllNames(c.Tenant))
}

// Me is the answer of GET /v1/me: the caller as the server sees them now
// (the roster applied).
type Me struct {
	Tenant  string   `json:"tenant"`
	Subject string   `json:"sub"`
	Role    string   `json:"role"`
	Teams   []string `json:"teams"`
	Name    string   `json:"name,omitempty"`
	Mode    Mode     `json:"roster_mode"`
	// Wallboard is the model a TV's wallboard key reads (role wallboard).
	Wallboard string `json:"wallboard,omitempty"`
}

func (a *API) me(w http.ResponseWriter, r *http.Request) {
	c, _ := auth.ClaimsFrom(r.Context())
	ro := a.Log.Roster()
	p, _ := ro.Get(c.Tenant, c.Subject)
	teams := c.Teams
	if teams == nil {
		teams = []string{}
	}
	writeJSON(w, http.StatusOK, Me{Tenant: c.Tenant, Subject: c.Subject, Role: string(c.Role), Teams: teams, Name: p.Name, Mode: ro.Mode(c.Tenant), Wallboard: c.Wallboard})
}

func (a *API) ready(w http.ResponseWriter, r *http.Request) bool {
	if err := a.Log.Ready(r.Context()); err != nil {
		w.Header().Set("Retry-After", "2")
		auth.WriteError(w, http.StatusServiceUnavailable, "the roster is not read from the broker yet; retry", "")
		return false
	}
	return true
}

func (a *API) fail(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, ErrNotFound):
		auth.WriteError(w, http.StatusNotFound, err.Error(), "subject")
	case errors.Is(err, ErrLockout):
		auth.WriteError(w, http.StatusConflict, err.Error(), "")
	case errors.Is(err, ErrTooMany):
		auth.WriteError(w, http.StatusConflict, err.Error()+"; remove people who left first", "")
	default:
		a.logger().Warn("roster: store failed", "err", err)
		w.Header().Set("Retry-After", "2")
		auth.WriteError(w, http.StatusServiceUnavailable, "the roster could not be stored; retry", "")
	}
}

func (a *API) logger() *slog.Logger {
	if a.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return a.Logger
}

// readBody reads a body of at most maxBody bytes, answering 413 itself.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	return readBodyMax(w, r, maxBody)
}

// readBodyMax reads a body of at most limit bytes, answering 413 itself.
func readBodyMax(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, bool) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		auth.WriteError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", limit), "body")
		return nil, false
	case err != nil:
		auth.WriteError(w, http.StatusBadRequest, "the body could not be read: "+err.Error(), "body")
		return nil, false
	}
	return b, true
}

// strictDecode decodes one JSON object with no unknown field and nothing
// after it.
func strictDecode(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
