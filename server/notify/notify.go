package notify

import (
	"crypto/rand"
	"encoding/base64"
	"slices"
	"time"

	"github.com/agentpulse/agentpulse/auth"
)

// Kind is what a notification is about.
type Kind string

// The kinds of notification.
const (
	KindHelpAsked    Kind = "help_asked"
	KindPlanAchieved Kind = "plan_achieved"
	KindPlanMissed   Kind = "plan_missed"
	KindPlanAtRisk   Kind = "plan_at_risk"
	KindNeedsWork    Kind = "needs_work"
	KindFeedStalled  Kind = "feed_stalled"
)

// Kinds lists every kind, in the order preferences show them.
var Kinds = []Kind{KindHelpAsked, KindPlanAchieved, KindPlanMissed, KindPlanAtRisk, KindNeedsWork, KindFeedStalled}

// Audience is who a notification is for: a team's leaders, an agent, or
// the admins (exactly one is set). Admins see every team's notifications.
type Audience struct {
	Team   string `json:"team,omitempty"`
	Agent  string `json:"agent,omitempty"`
	Admins bool   `json:"admins,omitempty"`
}

// Includes reports whether a user with role, subject and teams is in a.
func (a Audience) Includes(role auth.Role, subject string, teams []string) bool {
	switch {
	case a.Agent != "":
		return role == auth.RoleAgent && subject == a.Agent
	case a.Team != "":
		return role == auth.RoleAdmin || (role == auth.RoleSupervisor && slices.Contains(teams, a.Team))
	case a.Admins:
		return role == auth.RoleAdmin
	}
	return false
}

// Notification is one event told to an audience.
type Notification struct {
	ID       string    `json:"id"`
	Kind     Kind      `json:"kind"`
	Audience Audience  `json:"audience"`
	Title    string    `json:"title"`
	Body     string    `json:"body"`
	Link     string    `json:"link"` // a dashboard location, "#/plans/…"
	At       time.Time `json:"at"`
	// Read is the reader's own mark (GET /v1/notifications).
	Read bool `json:"read"`
	// Key, when set, names the event: Notify tells it once per tenant
	// while a notification with the same key is kept, whichever server
	// raised it (not shown in the API).
	Key string `json:"-"`
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
