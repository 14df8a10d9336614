package main

import (
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/processor/store/clickhouse/chtest"
	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views"
	"github.com/agentpulse/agentpulse/views/reference"
)

// wsMessage is a server → client websocket message.
type wsMessage struct {
	Channel, Type, Epoch string
	Seq                  int64
	Data                 struct {
		Interactions []struct{ ID string } `json:"interactions"`
	}
}

// subscribeWS dials addr, sends sub and returns the messages it receives
// (the channel closes when the connection ends) and the connection.
func subscribeWS(t *testing.T, addr, token string, sub map[string]any) (<-chan wsMessage, *websocket.Conn) {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/v1/ws?access_token="+token, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	if err := ws.WriteJSON(sub); err != nil {
		t.Fatal(err)
	}
	out := make(chan wsMessage, 1024)
	go func() {
		defer close(out)
		for {
			var m wsMessage
			if err := ws.ReadJSON(&m); err != nil {
				return
			}
			out <- m
		}
	}()
	return out, ws
}

// chaosServerKilled subscribes a websocket client to agent:X on server A,
// SIGKILLs A, and resumes on server B with A's epoch and last seq: B knows
// neither, so it must answer with a fresh snapshot (never a partial
// replay), then score messages for everything ingested after.
func chaosServerKilled(t *testing.T, bin string) {
	r := startChaosRig(t, bin, chtest.Start(t))
	addrA, addrB := freeAddr(t), freeAddr(t)
	serveA := r.serve(addrA)
	r.serve(addrB)
	for _, a := range []string{addrA, addrB} {
		waitFor(t, a+"/readyz", 60*time.Second, func() bool { return ready("http://" + a + "/readyz") })
	}
	feed := simulatedFeed(t)
	// reference.New: the processes run with --learn=false; learned cells in
	// the stores are compared with NewWithOutcomes in processor/learn and,
	// whole-process, in TestProcessLearnsOverClickHouse.
	ref := reference.New(feed, views.DefaultParams())
	watched := busiestAgent(ref)
	agentTok := r.mint(auth.Claims{Tenant: "acme", Subject: watched, Role: auth.RoleAgent})
	ingestTok := r.mint(auth.Claims{Tenant: "acme", Subject: "chaos-feed", Role: auth.RoleIngest})
	channel := "agent:" + watched

	msgsA, _ := subscribeWS(t, addrA, agentTok, map[string]any{"op": "subscribe", "channel": channel})
	var epochA string
	var lastSeq int64
	named := map[string]bool{}
	read := func(msgs <-chan wsMessage, m wsMessage) {
		if m.Channel != channel {
			return
		}
		if m.Type == "score" {
			for _, it := range m.Data.Interactions {
				named[it.ID] = true
			}
		}
		epochA, lastSeq = m.Epoch, m.Seq
	}
	select {
	case m := <-msgsA:
		if m.Type != "snapshot" {
			t.Fatalf("first message on A: %+v, want the snapshot", m)
		}
		read(msgsA, m)
	case <-time.After(10 * time.Second):
		t.Fatal("no snapshot from server A")
	}

	// The first half of the feed, until A has pushed a score message for
	// every interaction of the watched agent in it.
	half := len(feed) / 2
	postInteractions(t, "http://"+r.ingestAddr, ingestTok, feed[:half])
	firstIDs := idsOf(feed[:half], watched)
	waitFor(t, "score messages on A for the first half", 30*time.Second, func() bool {
		for {
			select {
			case m, ok := <-msgsA:
				if !ok {
					return false
				}
				read(msgsA, m)
				continue
			default:
			}
			break
		}
		return containsAll(named, firstIDs)
	})
	t.Logf("server A: epoch %s, seq %d after score messages for all %d interactions of %s in the first half", epochA, lastSeq, len(firstIDs), watched)

	serveA.stop(syscall.SIGKILL, 0)
	killed := time.Now()
	for range msgsA { // A's connection ends
	}
	msgsB, _ := subscribeWS(t, addrB, agentTok, map[string]any{"op": "subscribe", "channel": channel, "epoch": epochA, "since": lastSeq})
	select {
	case m, ok := <-msgsB:
		if !ok || m.Type != "snapshot" || m.Channel != channel {
			t.Fatalf("first message on B after resuming with A's epoch %s since %d: %+v (open %v), want a fresh snapshot", epochA, lastSeq, m, ok)
		}
		if m.Epoch == epochA {
			t.Errorf("server B answered in server A's epoch %s", epochA)
		}
		t.Logf("recovered: server A SIGKILLed; resuming on B with A's epoch/since got a fresh snapshot (epoch %s, seq %d) %s after the kill",
			m.Epoch, m.Seq, time.Since(killed).Round(time.Millisecond))
	case <-time.After(10 * time.Second):
		t.Fatal("no snapshot from server B")
	}

	// The second half: B pushes a score message for each of the watched
	// agent's interactions in it.
	postInteractions(t, "http://"+r.ingestAddr, ingestTok, feed[half:])
	// (less those also in the first half: a duplicate changes nothing)
	var secondIDs []string
	for _, id := range idsOf(feed[half:], watched) {
		if !slices.Contains(firstIDs, id) {
			secondIDs = append(secondIDs, id)
		}
	}
	clear(named)
	waitFor(t, "score messages on B for the second half", 30*time.Second, func() bool {
		for {
			select {
			case m, ok := <-msgsB:
				if !ok {
					t.Fatal("server B closed the websocket")
				}
				if m.Type == "snapshot" && m.Channel == channel {
					t.Errorf("a second snapshot on B: %+v", m)
				}
				read(msgsB, m)
				continue
			default:
			}
			break
		}
		return containsAll(named, secondIDs)
	})
	t.Logf("server B: score messages for all %d interactions of %s in the second half", len(secondIDs), watched)
	checkPerformance(t, ref, r.mint(auth.Claims{Tenant: "acme", Subject: "chaos-admin", Role: auth.RoleAdmin}), watched, addrB)
}

// idsOf returns the interaction ids of agent in its.
func idsOf(its []schemas.Interaction, agent string) []string {
	var out []string
	for _, it := range its {
		if it.AgentID == agent {
			out = append(out, it.InteractionID)
		}
	}
	return out
}

func containsAll(set map[string]bool, ids []string) bool {
	for _, id := range ids {
		if !set[id] {
			return false
		}
	}
	return true
}
