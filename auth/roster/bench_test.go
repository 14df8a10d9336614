package roster_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/auth/roster"
)

// BenchmarkVerify is the cost the roster adds to every request and to
// every websocket connection's re-verification: an HS256 verification
// alone, then through roster.Verifier with 500 people listed (override
// mode, the caller listed).
func BenchmarkVerify(b *testing.B) {
	l, _ := openLog(b, startCluster(b))
	ctx := context.Background()
	for i := range 500 {
		if _, _, err := l.Put(ctx, "acme", roster.Person{Subject: fmt.Sprintf("agent-%05d", i), Name: "A", Role: auth.RoleAgent}, boss); err != nil {
			b.Fatal(err)
		}
	}
	tok := mint(b, auth.Claims{Tenant: "acme", Subject: "agent-00042", Role: auth.RoleSupervisor, Teams: []string{"t1"}})
	jwt := auth.Verifier{Secret: secret}
	for _, tc := range []struct {
		name string
		v    auth.TokenVerifier
	}{{"hs256", jwt}, {"hs256+roster", roster.Verifier{Roster: l.Roster(), Next: jwt}}} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := tc.v.Verify(tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
