package roster_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/auth/roster"
)

// TestResolve: what each mode makes of a token's claims.
func TestResolve(t *testing.T) {
	l, _ := openLog(t, startCluster(t))
	ctx := context.Background()
	for _, p := range []roster.Person{
		{Subject: "boss", Role: auth.RoleAdmin},
		{Subject: "ana", Name: "Ana", Role: auth.RoleSupervisor, Teams: []string{"team-02", "team-03"}},
		{Subject: "agent-0001", Name: "Bo", Role: auth.RoleAgent},
	} {
		if _, _, err := l.Put(ctx, "acme", p, boss); err != nil {
			t.Fatal(err)
		}
	}
	v := roster.Verifier{Roster: l.Roster(), Next: auth.Verifier{Secret: secret}}
	ana := auth.Claims{Tenant: "acme", Subject: "ana", Role: auth.RoleAgent}
	stranger := auth.Claims{Tenant: "acme", Subject: "zed", Role: auth.RoleSupervisor, Teams: []string{"team-09"}}
	ingest := auth.Claims{Tenant: "acme", Subject: "feed", Role: auth.RoleIngest}
	other := auth.Claims{Tenant: "globex", Subject: "ana", Role: auth.RoleAgent}
	type want struct {
		role  auth.Role
		teams []string
		err   bool
	}
	for _, tc := range []struct {
		mode roster.Mode
		c    auth.Claims
		want want
	}{
		{roster.ModeOverride, ana, want{role: auth.RoleSupervisor, teams: []string{"team-02", "team-03"}}},
		{roster.ModeOverride, stranger, want{role: auth.RoleSupervisor, teams: []string{"team-09"}}},
		{roster.ModeOverride, other, want{role: auth.RoleAgent}},
		{roster.ModeIdP, ana, want{role: auth.RoleAgent}},
		{roster.ModeIdP, stranger, want{role: auth.RoleSupervisor, teams: []string{"team-09"}}},
		{roster.ModeRoster, ana, want{role: auth.RoleSupervisor, teams: []string{"team-02", "team-03"}}},
		{roster.ModeRoster, stranger, want{err: true}},
		{roster.ModeRoster, ingest, want{role: auth.RoleIngest}},
		{roster.ModeRoster, other, want{role: auth.RoleAgent}}, // globex has no roster
	} {
		if _, err := l.SetMode(ctx, "acme", tc.mode, boss); err != nil {
			t.Fatal(err)
		}
		got, err := v.Verify(mint(t, tc.c))
		if tc.want.err {
			if !errors.Is(err, auth.ErrNotAllowed) {
				t.Errorf("%s %s: %+v %v, want ErrNotAllowed", tc.mode, tc.c.Subject, got, err)
			}
			continue
		}
		if err != nil || got.Role != tc.want.role || !slices.Equal(got.Teams, tc.want.teams) || got.Subject != tc.c.Subject || got.Tenant != tc.c.Tenant {
			t.Errorf("%s %s/%s: %+v %v, want %+v", tc.mode, tc.c.Tenant, tc.c.Subject, got, err, tc.want)
		}
	}
	// A bad token stays refused as before (401, not 403).
	if _, err := v.Verify("nope"); err == nil || errors.Is(err, auth.ErrNotAllowed) {
		t.Fatalf("bad token: %v", err)
	}
}

// TestDecodePerson: every rule of a person's body names its field.
func TestDecodePerson(t *testing.T) {
	for _, tc := range []struct{ body, sub, field string }{
		{`{"name":"Ana","role":"supervisor","teams":["team-02","team-02"]}`, "ana", ""},
		{`{"role":"agent"}`, "agent-0001", ""},
		{`{"role":"agent"}`, "-bad", "subject"},
		{`{"role":"ingest"}`, "x", "role"},
		{`{"role":""}`, "x", "role"},
		{`{"role":"agent","teams":["t1"]}`, "x", "teams"},
		{`{"role":"supervisor","teams":["t 1"]}`, "x", "teams"},
		{`{"role":"agent","name":"a\u0007b"}`, "x", "name"},
		{`{"role":"agent","extra":1}`, "x", "body"},
		{`{"role":"agent"} {}`, "x", "body"},
		{`[]`, "x", "body"},
	} {
		p, field, msg := roster.DecodePerson([]byte(tc.body), tc.sub)
		if field != tc.field {
			t.Errorf("%s (%s): field %q (%s), want %q", tc.body, tc.sub, field, msg, tc.field)
		}
		if field == "" && tc.body[2] == 'n' && !slices.Equal(p.Teams, []string{"team-02"}) {
			t.Errorf("teams not deduplicated: %v", p.Teams)
		}
	}
}

// FuzzDecodePerson: no body crashes the decoder, and whatever it admits
// passes Check.
func FuzzDecodePerson(f *testing.F) {
	f.Add([]byte(`{"name":"Ana","role":"supervisor","teams":["team-02"]}`), "ana")
	f.Add([]byte(`{"role":"agent"}`), "agent-0001")
	f.Add([]byte(`{"role":"admin","name":""}`), "x@y")
	f.Fuzz(func(t *testing.T, body []byte, sub string) {
		p, field, _ := roster.DecodePerson(body, sub)
		if field != "" {
			return
		}
		if f2, msg := p.Check(); f2 != "" {
			t.Fatalf("admitted %+v fails Check: %s %s", p, f2, msg)
		}
	})
}
