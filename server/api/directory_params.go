package api

import (
	"net/url"
	"slices"
	"strings"

	"github.com/agentpulse/agentpulse/auth"
)

// Bounds of the directory routes' parameters.
const (
	DefaultDirectoryLimit = 100  // teams or agents in a page without limit
	MaxDirectoryLimit     = 1000 // the most limit allows
	MaxSearchLength       = 128  // characters of q: a display name's bound
)

// directoryQuery is GET /v1/teams' and GET /v1/agents' parameters, with
// the caller's access applied.
type directoryQuery struct {
	search string   // q, trimmed and lower-cased; "" matches everything
	teams  []string // nil: every team; else only these, sorted (a supervisor's, or team=)
	after  string
	limit  int
}

// parseDirectory reads the directory routes' parameters:
//
//   - q: at most MaxSearchLength characters (valid UTF-8, no control
//     characters), matched case-insensitively as a substring of the id
//     or display name (so a prefix matches too); empty or absent matches
//     all;
//   - team (GET /v1/agents only, withTeam): only that team's agents;
//   - after: an id, only those sorted after it (the cursor: the previous
//     answer's next);
//   - limit: 1 to MaxDirectoryLimit, default DefaultDirectoryLimit.
//
// An empty parameter is an absent one (as on the wallboard route).
// A supervisor sees only the teams they lead (team naming another is
// 403); an admin every team; other roles are refused (403). Every error
// is a *views.FieldError naming the parameter and the rule, or a 403.
func parseDirectory(q url.Values, c auth.Claims, withTeam bool) (directoryQuery, error) {
	out := directoryQuery{limit: DefaultDirectoryLimit}
	if err := checkWallboardRole(c); err != nil {
		return out, err
	}
	if s := q.Get("q"); s != "" {
		if err := checkSearch(s); err != nil {
			return out, err
		}
		out.search = strings.ToLower(strings.TrimSpace(s))
	}
	if c.Role == auth.RoleSupervisor {
		out.teams = slices.Clone(c.Teams)
		if out.teams == nil {
			out.teams = []string{}
		}
	}
	if team := q.Get("team"); withTeam && team != "" {
		if err := checkID("team", team); err != nil {
			return out, err
		}
		if err := checkTeam(c, team); err != nil {
			return out, err
		}
		out.teams = []string{team}
	}
	slices.Sort(out.teams)
	out.teams = slices.Compact(out.teams)
	after, limit, err := parsePage(q, MaxDirectoryLimit)
	if err != nil {
		return out, err
	}
	out.after = after
	if limit > 0 {
		out.limit = limit
	}
	return out, nil
}

// checkSearch applies q's rule (q is not empty): at most MaxSearchLength
// characters of valid UTF-8 without control characters.
func checkSearch(s string) error { return checkText("q", s, MaxSearchLength) }

// matches reports whether the lower-cased search is in id or name (any
// case).
func matches(search, id, name string) bool {
	return search == "" || strings.Contains(strings.ToLower(id), search) || name != "" && strings.Contains(strings.ToLower(name), search)
}
