package main

import (
	"slices"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/agentpulse/agentpulse/schemas"
)

// watchScores subscribes to agent:<agent> on the server at addr and
// records the interactions named by its score messages until the test
// ends.
func watchScores(t *testing.T, addr, agent, token string) *scoreLog {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/v1/ws?access_token="+token, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	if err := ws.WriteJSON(map[string]string{"op": "subscribe", "channel": "agent:" + agent}); err != nil {
		t.Fatal(err)
	}
	type message struct {
		Channel, Type string
		Data          struct {
			Interactions []struct{ ID string } `json:"interactions"`
		}
	}
	var first message
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	if err := ws.ReadJSON(&first); err != nil || first.Type != "snapshot" {
		t.Fatalf("first websocket message %+v, %v; want the snapshot", first, err)
	}
	_ = ws.SetReadDeadline(time.Time{})
	log := &scoreLog{first: map[string]time.Time{}}
	go func() {
		for {
			var m message
			if err := ws.ReadJSON(&m); err != nil {
				log.mu.Lock()
				log.err = err
				log.mu.Unlock()
				return
			}
			if m.Type == "score" && m.Channel == "agent:"+agent {
				ids := make([]string, len(m.Data.Interactions))
				for i, it := range m.Data.Interactions {
					ids[i] = it.ID
				}
				log.add(ids)
			}
		}
	}()
	return log
}

// checkScores waits until the websocket has named every interaction of
// the watched agent, then counts which processor folded them: those on
// B's partitions were folded by B; those on A's partitions pushed before
// the kill by A; those on A's partitions sent after the kill by B, which
// took them over (the rest, sent before and pushed after the kill, by
// either).
func checkScores(t *testing.T, scores *scoreLog, its []*schemas.Interaction, parts map[string]int32, ownedA, ownedB []int32, killedAt time.Time, sentAfterKill map[string]bool) {
	t.Helper()
	var got map[string]time.Time
	var messages int
	var err error
	missing := 0
	limit := time.Now().Add(20 * time.Second)
	for {
		got, messages, err = scores.snapshot()
		missing = 0
		for _, it := range its {
			if _, ok := got[it.InteractionID]; !ok {
				missing++
			}
		}
		if missing == 0 || err != nil || time.Now().After(limit) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Errorf("websocket read: %v", err)
	}
	if missing > 0 {
		t.Errorf("%d of the watched agent's %d interactions never appeared in a score message on server A", missing, len(its))
	}
	var byA, byB, byBTakenOver, either int
	for _, it := range its {
		at, ok := got[it.InteractionID]
		if !ok {
			continue
		}
		p, ok := parts[it.InteractionID]
		switch {
		case !ok:
			t.Errorf("interaction %s is not in the interactions topic", it.InteractionID)
		case slices.Contains(ownedB, p):
			byB++
		case at.Before(killedAt):
			byA++
		case sentAfterKill[it.InteractionID]:
			byBTakenOver++
		default:
			either++
		}
	}
	t.Logf("websocket on server A: %d score messages named all %d interactions of the agent: %d pushed by processor A (partitions %v) before the kill, %d by processor B on its own partitions %v, %d sent after the kill on A's former partitions (so by B after the takeover), %d sent before and pushed after the kill",
		messages, len(its)-missing, byA, ownedA, byB, ownedB, byBTakenOver, either)
	if byA == 0 || byB == 0 || byBTakenOver == 0 {
		t.Errorf("score messages came from A %d, B %d, B after takeover %d; want some from each", byA, byB, byBTakenOver)
	}
}
