package notify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/mail"
	"net/url"
	"slices"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/views"
)

// Prefs are one user's delivery preferences. In-app (the list and the
// live push) is always on; Email and Webhook are optional; Kinds empty
// means every kind.
type Prefs struct {
	Email   string `json:"email"`
	Webhook string `json:"webhook"`
	Kinds   []Kind `json:"kinds"`
}

// user is who saved preferences, from their token's claims then.
type user struct {
	role    auth.Role
	subject string
	teams   []string
	prefs   Prefs
}

// wants reports whether the user asked for kind k.
func (p Prefs) wants(k Kind) bool { return len(p.Kinds) == 0 || slices.Contains(p.Kinds, k) }

// DecodePrefs strictly decodes and checks the body of PUT
// /v1/notification-preferences: {"email", "webhook", "kinds"}; every
// refusal is a *views.FieldError naming the field.
func DecodePrefs(data []byte) (Prefs, error) {
	var p Prefs
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Prefs{}, &views.FieldError{Field: "body", Message: "must be a JSON object with email, webhook and kinds: " + err.Error()}
	}
	if dec.More() {
		return Prefs{}, &views.FieldError{Field: "body", Message: "must hold exactly one JSON object"}
	}
	if p.Email != "" {
		a, err := mail.ParseAddress(p.Email)
		if err != nil || a.Address != p.Email || len(p.Email) > 254 {
			return Prefs{}, &views.FieldError{Field: "email", Message: fmt.Sprintf("must be a plain e-mail address such as lead@example.com; got %q", clip(p.Email))}
		}
	}
	if p.Webhook != "" {
		u, err := url.Parse(p.Webhook)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(p.Webhook) > 2048 {
			return Prefs{}, &views.FieldError{Field: "webhook", Message: "must be an http or https URL of a Slack or Teams incoming webhook"}
		}
	}
	for i, k := range p.Kinds {
		if !slices.Contains(Kinds, k) {
			return Prefs{}, &views.FieldError{Field: fmt.Sprintf("kinds[%d]", i), Message: fmt.Sprintf("must be one of %v; got %q", Kinds, clip(string(k)))}
		}
	}
	if p.Kinds == nil {
		p.Kinds = []Kind{}
	}
	return p, nil
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
