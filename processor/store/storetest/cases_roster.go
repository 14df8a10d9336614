package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/processor/store"
)

// testRoster: roster parts are kept per (tenant, agent, model, partition)
// with the highest version winning (a lower one written later, a
// redelivery, an emptied part), read per tenant or per agent, and their
// (tenant, model) pairs are what TenantModels lists. Skipped for a store
// that is not a store.RosterReader.
func testRoster(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	rr, ok := s.(store.RosterReader)
	if !ok {
		t.Skip("not a store.RosterReader")
	}
	ctx := context.Background()
	part := func(tenant, agent, model string, p int32, team, id string, minute int, version int64) store.RosterPart {
		rp := store.RosterPart{Tenant: tenant, Agent: agent, Model: model, Partition: p, Team: team, InteractionID: id, Version: version}
		if id != "" {
			rp.EndedAt = t0.Add(time.Duration(minute) * time.Minute).In(time.FixedZone("", 3600))
		}
		return rp
	}
	apply(t, s, store.Batch{Partition: 0, Next: 10, Roster: []store.RosterPart{
		part("t1", "a", "voice", 0, "A", "i1", 5, 3),
		part("t1", "b", "voice", 0, "B", "i2", 7, 4),
		part("t1", "a", "chat", 0, "A", "i3", 9, 5),
		part("t2", "a", "email", 0, "Z", "i4", 1, 6),
	}})
	apply(t, s, store.Batch{Partition: 0, Next: 20, Roster: []store.RosterPart{
		part("t1", "a", "voice", 0, "B", "i5", 11, 15), // a newer interaction
		part("t1", "b", "voice", 0, "C", "i9", 50, 2),  // a lower version: ignored
		part("t1", "a", "chat", 0, "", "", 0, 16),      // emptied
	}})
	apply(t, s, store.Batch{Partition: 1, Next: 5, Roster: []store.RosterPart{
		part("t1", "a", "voice", 1, "C", "i6", 11, 4),
	}})
	// A redelivered batch changes nothing.
	apply(t, s, store.Batch{Partition: 1, Next: 5, Roster: []store.RosterPart{
		part("t1", "a", "voice", 1, "C", "i6", 11, 4),
	}})
	read := func(tenant, agent string) string {
		var got []string
		err := rr.Roster(ctx, tenant, agent, func(p store.RosterPart) error {
			ended := ""
			if !p.EndedAt.IsZero() {
				ended = p.EndedAt.UTC().Format(time.RFC3339)
			}
			got = append(got, fmt.Sprintf("%s/%s/%s/%d team=%s id=%s ended=%s v=%d", p.Tenant, p.Agent, p.Model, p.Partition, p.Team, p.InteractionID, ended, p.Version))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		return strings.Join(got, "\n")
	}
	at := func(m int) string { return t0.Add(time.Duration(m) * time.Minute).UTC().Format(time.RFC3339) }
	sameText(t, "Roster(t1)", read("t1", ""), strings.Join([]string{
		"t1/a/chat/0 team= id= ended= v=16",
		"t1/a/voice/0 team=B id=i5 ended=" + at(11) + " v=15",
		"t1/a/voice/1 team=C id=i6 ended=" + at(11) + " v=4",
		"t1/b/voice/0 team=B id=i2 ended=" + at(7) + " v=4",
	}, "\n"))
	sameText(t, "Roster(t1, b)", read("t1", "b"), "t1/b/voice/0 team=B id=i2 ended="+at(7)+" v=4")
	sameText(t, "Roster(t2, a)", read("t2", "a"), "t2/a/email/0 team=Z id=i4 ended="+at(1)+" v=6")
	sameText(t, "Roster(t3)", read("t3", ""), "")
	if ml, ok := s.(store.ModelsLister); ok {
		got, err := ml.TenantModels(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []store.TenantModel{{Tenant: "t1", Model: "chat"}, {Tenant: "t1", Model: "voice"}, {Tenant: "t2", Model: "email"}}
		if !slices.Equal(got, want) {
			t.Errorf("TenantModels = %v, want %v", got, want)
		}
	}
	// The merge rule: the newest part decides, ties on ended_at by id.
	parts := []store.RosterPart{part("t1", "a", "voice", 0, "B", "i5", 11, 15), part("t1", "a", "voice", 1, "C", "i6", 11, 4)}
	if !store.NewerPart(&parts[1], &parts[0]) || store.NewerPart(&parts[0], &parts[1]) {
		t.Errorf("NewerPart: i6 at the same ended_at as i5 must be newer")
	}
}
