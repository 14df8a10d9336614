package roster

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"

	"github.com/go-chi/chi/v5"

	"github.com/agentpulse/agentpulse/audit"
	"github.com/agentpulse/agentpulse/auth"
)

// PathImport is the bulk import route.
const PathImport = "/v1/roster/import"

// ImportRoutes mounts POST /v1/roster/import (role admin). Its body is a
// file of up to MaxImportBytes: mount it behind a body limit at least
// that large (the other routes keep maxBody).
func (a *API) ImportRoutes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(auth.Require(a.Verifier, auth.RoleAdmin))
		r.Post(PathImport, a.importPeople)
	})
}

// ImportRefusal is the answer to an import refused for its content: every
// row error (at most MaxRowErrors; Count says how many there were).
type ImportRefusal struct {
	Error string     `json:"error"`
	Field string     `json:"field"`
	Rows  []RowError `json:"rows"`
	Count int        `json:"count"`
}

func (a *API) importPeople(w http.ResponseWriter, r *http.Request) {
	c, _ := auth.ClaimsFrom(r.Context())
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && mt != "text/csv") {
		auth.WriteError(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json (an array of people) or text/csv (a header line subject,name,role,teams, then one person a line)", "Content-Type")
		return
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxImportBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		auth.WriteError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the import is larger than %d bytes", MaxImportBytes), "body")
		return
	case err != nil:
		auth.WriteError(w, http.StatusBadRequest, "the body could not be read: "+err.Error(), "body")
		return
	}
	if !a.ready(w, r) {
		return
	}
	people, rowErrs := ParseImport(b, mt == "text/csv", a.Log.MaxPerTenant())
	if len(rowErrs) == 0 {
		if i := slices.IndexFunc(people, func(p Person) bool {
			return p.Subject == c.Subject && c.Role == auth.RoleAdmin && p.Role != auth.RoleAdmin
		}); i >= 0 {
			rowErrs = []RowError{{Row: i + 1, Field: "role", Error: "you may not take away your own admin role; another admin can"}}
		}
	}
	if len(rowErrs) > 0 {
		n := len(rowErrs)
		msg := fmt.Sprintf("%d problems in the import; nothing was imported", n)
		if n == 1 {
			msg = "1 problem in the import; nothing was imported"
		}
		writeJSON(w, http.StatusBadRequest, ImportRefusal{Error: msg, Field: "rows", Rows: rowErrs[:min(n, MaxRowErrors)], Count: n})
		return
	}
	res, err := a.Log.Import(r.Context(), c.Tenant, people, c)
	// Audit what was written, even on a partial failure: every person
	// added with more than an agent's rights and every role or team
	// change as role_changed; agents added and names changed counted in
	// roster_imported (an import of 100,000 agents is one event).
	added := map[auth.Role]int{}
	names := 0
	for _, ch := range res.Changes {
		if !ch.Stored {
			continue
		}
		switch {
		case !ch.Existed:
			added[ch.Person.Role]++
			if ch.Person.Role != auth.RoleAgent {
				a.Audit.Record(r.Context(), audit.By(c, audit.RoleChanged, ch.Person.Subject, "added as "+describe(ch.Person)+" (import)"))
			}
		case ch.Prev.Role != ch.Person.Role || !slices.Equal(ch.Prev.Teams, ch.Person.Teams):
			a.Audit.Record(r.Context(), audit.By(c, audit.RoleChanged, ch.Person.Subject, describe(ch.Prev)+" → "+describe(ch.Person)+" (import)"))
		}
		if ch.Existed && ch.Prev.Name != ch.Person.Name {
			names++
		}
	}
	detail := fmt.Sprintf("%d people: %d added (%d agents, %d supervisors, %d admins), %d changed (%d names), %d unchanged",
		len(people), res.Added, added[auth.RoleAgent], added[auth.RoleSupervisor], added[auth.RoleAdmin], res.Changed, names, res.Unchanged)
	if err != nil {
		detail += "; stopped by a broker failure: " + err.Error()
	}
	a.Audit.Record(r.Context(), audit.By(c, audit.RosterImported, "", detail))
	if err != nil {
		a.fail(w, err)
		return
	}
	a.logger().Info("roster: import", "tenant", c.Tenant, "people", len(people), "added", res.Added, "changed", res.Changed, "by", c.Subject)
	writeJSON(w, http.StatusOK, res)
}
