package api

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/storeview"
)

// Bounds of the wallboard route's teams and limit parameters.
const (
	MaxWallboardTeams = 100  // ids in one teams=…
	MaxWallboardLimit = 1000 // teams in one page
)

// parseWallboard reads the wallboard route's selection parameters and
// applies the caller's access to them:
//
//   - team: one team (existing form); teams: a comma-separated list of
//     1 to MaxWallboardTeams team ids (not both);
//   - agents: true (default) or false, the teams' figures and agent
//     counts without their agents;
//   - after: a team id, only the teams sorted after it (a page's cursor,
//     the previous answer's next); limit: 1 to MaxWallboardLimit teams per
//     answer, next set when more follow.
//
// A supervisor sees only the teams they lead: team or teams naming
// another is 403; without them the answer is narrowed to theirs. An admin
// and a TV's wallboard key see every team. Every error is a
// *views.FieldError naming the parameter, or a 403.
func parseWallboard(q url.Values, c auth.Claims) (storeview.WallboardQuery, error) {
	var out storeview.WallboardQuery
	check := func(team string) error {
		if c.Role == auth.RoleWallboard {
			return nil // a TV key reads every team of its model
		}
		return checkTeam(c, team)
	}
	if c.Role == auth.RoleSupervisor {
		out.Only = slices.Clone(c.Teams)
		if out.Only == nil {
			out.Only = []string{}
		}
	}
	team, hasTeams := q.Get("team"), q.Has("teams")
	switch {
	case team != "" && hasTeams:
		return out, &views.FieldError{Field: "teams", Message: "give team or teams, not both"}
	case team != "":
		if err := checkID("team", team); err != nil {
			return out, err
		}
		if err := check(team); err != nil {
			return out, err
		}
		out.Only = []string{team}
	case hasTeams:
		raw := q.Get("teams")
		ids := strings.Split(raw, ",")
		if raw == "" || len(ids) > MaxWallboardTeams {
			return out, &views.FieldError{Field: "teams", Message: "must be 1 to " + strconv.Itoa(MaxWallboardTeams) + " comma-separated team ids; got " + strconv.Itoa(len(ids)) + " in " + clip(raw)}
		}
		for _, id := range ids {
			if err := checkID("teams", id); err != nil {
				return out, err
			}
		}
		for _, id := range ids {
			if err := check(id); err != nil {
				return out, err
			}
		}
		out.Only = ids
	}
	switch s := q.Get("agents"); s {
	case "", "true":
	case "false":
		out.NoAgents = true
	default:
		return out, &views.FieldError{Field: "agents", Message: "must be true or false; got " + clip(s)}
	}
	var err error
	out.After, out.Limit, err = parsePage(q, MaxWallboardLimit)
	return out, err
}

// parsePage reads a list's paging parameters: after (an id: where the
// last page's next pointed) and limit (1..max); absent or empty, "" and 0.
func parsePage(q url.Values, max int) (after string, limit int, err error) {
	if s := q.Get("after"); s != "" {
		if err := checkID("after", s); err != nil {
			return "", 0, err
		}
		after = s
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > max {
			return "", 0, &views.FieldError{Field: "limit", Message: "must be an integer from 1 to " + strconv.Itoa(max) + "; got " + clip(s)}
		}
		limit = n
	}
	return after, limit, nil
}
