package notify

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/agentpulse/agentpulse/auth"
)

// FuzzApplyRecord: a record of either topic never panics the Center; one
// it keeps is listable, and a refused one changes nothing.
func FuzzApplyRecord(f *testing.F) {
	for _, s := range []string{
		`{"tenant":"acme","notification":{"id":"n1","kind":"help_asked","audience":{"team":"t1"},"title":"x","at":"2026-12-03T10:00:00Z"}}`,
		`{"tenant":"acme","read":{"id":"n1","subject":"lead"}}`,
		`{"tenant":"acme","read_all":{"ids":["n1","n9"],"subject":"lead"}}`, `{"tenant":"acme","read_all":{"ids":null,"subject":""}}`,
		`{"tenant":"acme","subject":"lead","role":"supervisor","teams":["t1"],"prefs":{"email":"a@b.c","kinds":null}}`,
		`{"tenant":"acme","key":"plan_at_risk/p1","notification":{"id":"n3","at":"2999-01-01T00:00:00Z"}}`,
		`{"tenant":""}`, `{}`, `[]`, `{"tenant":"acme","notification":{"id":""}}`, `{"tenant":"acme","notification":{"id":"n2","at":"0001-01-01T00:00:00Z"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := New(Config{})
		if err != nil {
			t.Fatal(err)
		}
		r := &kgo.Record{Value: data}
		errN := c.applyRecord(r, false)
		errP := c.applyPrefs(r, true)
		admin := auth.Claims{Tenant: "acme", Subject: "boss", Role: auth.RoleAdmin}
		l, unread := c.List(admin)
		if unread > len(l) {
			t.Fatalf("%d unread of %d", unread, len(l))
		}
		if errN != nil && len(l) != 0 {
			t.Fatalf("a refused record kept %d notifications", len(l))
		}
		if errP != nil && c.Prefs(admin).Email != "" {
			t.Fatal("refused preferences kept")
		}
	})
}
