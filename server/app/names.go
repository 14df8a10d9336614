package app

import "github.com/agentpulse/agentpulse/auth/roster"

// namer says ids in the words people know them by in notifications: a
// person's roster name, a team's, inquiry's or channel's display name
// (PUT /v1/names), else the id (people) or the id in words (the others),
// as the dashboard does. The words are those of when the notification is
// raised. The zero namer (no roster) says ids and words only.
type namer struct{ r *roster.Roster }

func newNamer(l *roster.Log) namer {
	if l == nil {
		return namer{}
	}
	return namer{r: l.Roster()}
}

// person is the display name of the tenant's person id, else id.
func (n namer) person(tenant, id string) string {
	if n.r != nil {
		if p, ok := n.r.Get(tenant, id); ok && p.Name != "" {
			return p.Name
		}
	}
	return id
}

func (n namer) label(tenant string, k roster.NameKind, id string) string {
	if n.r != nil {
		if l, ok := n.r.Label(tenant, k, id); ok {
			return l.Name
		}
	}
	return words(id)
}

// inquiry is the display name of the tenant's inquiry, else it in words.
func (n namer) inquiry(tenant, id string) string { return n.label(tenant, roster.KindInquiry, id) }

// model is the display name of the tenant's model (channel), else it in
// words.
func (n namer) model(tenant, id string) string { return n.label(tenant, roster.KindModel, id) }

// apiNames is the read API's api.NameSource over the roster: people's
// roster names and the display names of teams, inquiries and models.
type apiNames struct{ r *roster.Roster }

func (n apiNames) Person(tenant, id string) string {
	if p, ok := n.r.Get(tenant, id); ok {
		return p.Name
	}
	return ""
}

func (n apiNames) Label(tenant, kind, id string) string {
	if l, ok := n.r.Label(tenant, roster.NameKind(kind), id); ok {
		return l.Name
	}
	return ""
}
