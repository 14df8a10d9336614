package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// soakCounters are the test's own counts of the load, at one moment.
type soakCounters struct {
	wsMessages    int64 // score and plan messages received by all clients
	wsGaps        int64 // messages whose seq was not the previous one + 1 on its channel
	wsCloses      int64 // connections that ended before the test closed them
	wsErrors      int64 // {"op": "error"} messages
	apiOK         int64 // API answers 2xx
	apiBad        int64 // API answers that were not 2xx, or failed
	ingestRetries int64 // ingest requests sent again after a 429, 503 or a failure
}

// soakLoad holds the counters the load goroutines update.
type soakLoad struct {
	wsMessages, wsGaps, wsCloses, wsErrors atomic.Int64
	wsSubscribeRetries                     atomic.Int64 // subscriptions answered "unavailable" and sent again
	apiOK, apiBad                          atomic.Int64
	ingestRetries                          func() int64

	mu       sync.Mutex
	problems []string // the first few failures, for the report
	latency  map[string]*soakLatency
}

func (l *soakLoad) counters() soakCounters {
	c := soakCounters{wsMessages: l.wsMessages.Load(), wsGaps: l.wsGaps.Load(), wsCloses: l.wsCloses.Load(),
		wsErrors: l.wsErrors.Load(), apiOK: l.apiOK.Load(), apiBad: l.apiBad.Load()}
	if l.ingestRetries != nil {
		c.ingestRetries = l.ingestRetries()
	}
	return c
}

func (l *soakLoad) problem(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.problems) < 20 {
		l.problems = append(l.problems, fmt.Sprintf(format, args...))
	}
}

// soakClient is one websocket connection with one subscription.
type soakClient struct {
	channel string
	conn    *websocket.Conn
	closing atomic.Bool // set before the test closes it
	done    chan struct{}
}

// dialSoakClient connects to addr, subscribes to channel and waits for
// the snapshot; then a goroutine reads every message, checks that seq
// grows by one on the channel, and counts.
func dialSoakClient(addr, token, channel string, l *soakLoad) (*soakClient, error) {
	began := time.Now()
	d := websocket.Dialer{HandshakeTimeout: 30 * time.Second}
	conn, _, err := d.Dial("ws://"+addr+"/v1/ws?access_token="+url.QueryEscape(token), nil)
	if err != nil {
		return nil, fmt.Errorf("dial for %s: %w", channel, err)
	}
	// Answer pings as gorilla's default handler does, but give the pong
	// 10 s instead of 1 s to be written: on a starved test machine the
	// default once failed a client ("write: i/o timeout") that was only slow
	// to be scheduled, which is the test's own fault, not the server's.
	conn.SetPingHandler(func(data string) error {
		err := conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(10*time.Second))
		if errors.Is(err, websocket.ErrCloseSent) {
			return nil
		}
		return err
	})
	type message struct {
		Op, Channel, Type, Error string
		Seq                      int64
	}
	// Subscribe; on "unavailable" (the store could not build the snapshot
	// in time: a busy moment) retry later, as the protocol tells clients.
	var first message
	for attempt := 1; ; attempt++ {
		if err := conn.WriteJSON(map[string]string{"op": "subscribe", "channel": channel}); err != nil {
			conn.Close()
			return nil, err
		}
		_ = conn.SetReadDeadline(time.Now().Add(60 * time.Second))
		first = message{}
		err := conn.ReadJSON(&first)
		if err == nil && first.Op == "error" && first.Error == "unavailable" && attempt < 30 {
			l.wsSubscribeRetries.Add(1)
			time.Sleep(time.Duration(min(attempt, 10)) * 500 * time.Millisecond)
			continue
		}
		if err != nil || first.Type != "snapshot" || first.Channel != channel {
			conn.Close()
			return nil, fmt.Errorf("first message on %s: %+v, %v; want its snapshot", channel, first, err)
		}
		break
	}
	l.observe("ws snapshot "+channel[:strings.IndexByte(channel, ':')], time.Since(began))
	_ = conn.SetReadDeadline(time.Time{})
	c := &soakClient{channel: channel, conn: conn, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		last := first.Seq
		for {
			var m message
			if err := conn.ReadJSON(&m); err != nil {
				if !c.closing.Load() {
					l.wsCloses.Add(1)
					l.problem("websocket on %s ended: %v", channel, err)
				}
				return
			}
			switch {
			case m.Op == "error":
				l.wsErrors.Add(1)
				l.problem("websocket error on %s: %s", m.Channel, m.Error)
			case m.Channel != channel:
				l.problem("message for %s on a connection subscribed to %s", m.Channel, channel)
			default:
				if m.Seq != last+1 {
					l.wsGaps.Add(1)
					l.problem("%s: seq %d after %d", channel, m.Seq, last)
				}
				last = m.Seq
				l.wsMessages.Add(1)
			}
		}
	}()
	return c, nil
}

// close ends the connection as the test means to.
func (c *soakClient) close() {
	c.closing.Store(true)
	_ = c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	c.conn.Close()
	<-c.done
}

// soakRequest is one API call a reader makes: a path, the token that may
// read it, and the route it belongs to (for the latency log).
type soakRequest struct {
	path, token, route string
}

// soakLatency is the latency of one route's answers (logged, never
// asserted): every answer's, for the quantiles.
type soakLatency struct {
	all []time.Duration
}

// quantile is the q-quantile of the answers' latencies (nearest rank);
// the caller sorted them.
func (x *soakLatency) quantile(q float64) time.Duration {
	if len(x.all) == 0 {
		return 0
	}
	return x.all[min(len(x.all)-1, int(q*float64(len(x.all))))]
}

func (l *soakLoad) observe(route string, d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.latency == nil {
		l.latency = map[string]*soakLatency{}
	}
	x := l.latency[route]
	if x == nil {
		x = &soakLatency{}
		l.latency[route] = x
	}
	x.all = append(x.all, d)
}

// runSoakReader calls random requests in a loop until ctx ends, pausing
// pause between calls, and counts the answers: each must be 200 with a
// JSON body.
func runSoakReader(ctx context.Context, base string, reqs []soakRequest, pause time.Duration, seed uint64, l *soakLoad) {
	client := &http.Client{Timeout: 2 * time.Minute} // a slow answer is logged, not failed: the machine is shared
	r := rand.New(rand.NewPCG(seed, 0x50a4))
	for ctx.Err() == nil {
		q := reqs[r.IntN(len(reqs))]
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+q.path, nil)
		req.Header.Set("Authorization", "Bearer "+q.token)
		began := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			if ctx.Err() == nil {
				l.apiBad.Add(1)
				l.problem("GET %s: %v", q.path, err)
			}
			continue
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		l.observe(q.route, time.Since(began))
		if err == nil && resp.StatusCode == http.StatusOK && json.Valid(body) {
			l.apiOK.Add(1)
		} else if ctx.Err() == nil {
			l.apiBad.Add(1)
			l.problem("GET %s: %d %.200s (%v)", q.path, resp.StatusCode, body, err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(pause):
		}
	}
}
