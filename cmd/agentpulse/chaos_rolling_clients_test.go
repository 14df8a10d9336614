package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/agentpulse/agentpulse/schemas"
	"github.com/agentpulse/agentpulse/views/reference"
)

// retryFeeder posts a feed to the ingest server in chunks, retrying each
// chunk until a 200 accepts all of it, as a CCaaS connector retries a
// delivery: on a refused connection, a timeout, 503, 429 or any 5xx. It
// waits 2 s for an answer: ingest holds requests while the broker is down,
// so some are sent again while the first attempt is still to be stored,
// leaving duplicates on the topic that the processors must drop.
type retryFeeder struct {
	base, token string
	feed        []schemas.Interaction
	chunks      int
	attempts    firstAttempts
	client      http.Client

	mu     sync.Mutex
	sent   int
	failed int
	kinds  map[string]int
	err    error
}

func newRetryFeeder(base, token string, feed []schemas.Interaction, chunks int) *retryFeeder {
	return &retryFeeder{base: base, token: token, feed: feed, chunks: chunks,
		attempts: firstAttempts{at: map[string]time.Time{}}, client: http.Client{Timeout: 2 * time.Second}, kinds: map[string]int{}}
}

// run sends every chunk, pausing pace between chunks until fast closes.
func (f *retryFeeder) run(ctx context.Context, pace time.Duration, fast <-chan struct{}) {
	size := (len(f.feed) + f.chunks - 1) / f.chunks
	for i := 0; i*size < len(f.feed); i++ {
		chunk := f.feed[i*size : min((i+1)*size, len(f.feed))]
		if err := f.send(ctx, chunk); err != nil {
			f.mu.Lock()
			f.err = err
			f.mu.Unlock()
			return
		}
		select {
		case <-fast:
		case <-time.After(pace):
		case <-ctx.Done():
			return
		}
	}
}

func (f *retryFeeder) send(ctx context.Context, chunk []schemas.Interaction) error {
	var body []byte
	for i := range chunk {
		body = append(chunk[i].AppendJSON(body), '\n')
	}
	f.attempts.note(chunk, time.Now())
	for {
		kind, err := f.attempt(ctx, body, len(chunk))
		if err != nil {
			return err
		}
		if kind == "" {
			f.mu.Lock()
			f.sent += len(chunk)
			f.mu.Unlock()
			return nil
		}
		f.mu.Lock()
		f.failed++
		f.kinds[kind]++
		f.mu.Unlock()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// attempt posts body once: "" when accepted, the kind of a failure to
// retry, or an error for an answer no retry can fix.
func (f *retryFeeder) attempt(ctx context.Context, body []byte, n int) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.base+"/v1/ingest/interactions", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+f.token)
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := f.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return "no answer within 2 s", nil
		}
		return "transport error", nil
	}
	defer resp.Body.Close()
	var got struct {
		Accepted int               `json:"accepted"`
		Rejected []json.RawMessage `json:"rejected"`
		Error    string            `json:"error"`
	}
	decodeErr := json.NewDecoder(resp.Body).Decode(&got)
	switch {
	case resp.StatusCode == http.StatusOK:
		if decodeErr != nil || got.Accepted != n || len(got.Rejected) != 0 {
			return "", fmt.Errorf("ingest: 200 accepting %d of %d (rejected %s, %v)", got.Accepted, n, got.Rejected, decodeErr)
		}
		return "", nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return fmt.Sprint(resp.StatusCode), nil
	default:
		return "", fmt.Errorf("ingest answered %d (%s): not a failure a retry fixes", resp.StatusCode, got.Error)
	}
}

func (f *retryFeeder) sentRecords() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sent
}

func (f *retryFeeder) failedAttempts() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}

func (f *retryFeeder) failureKinds() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var parts []string
	for k, n := range f.kinds {
		parts = append(parts, fmt.Sprintf("%s ×%d", k, n))
	}
	sort.Strings(parts)
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func (f *retryFeeder) error() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// wsResumer is a websocket client subscribed to agent:{agent} that
// reconnects whenever its connection ends, trying the other server first,
// and resumes with the epoch and seq it last saw; a subscription answered
// "unavailable" (the server could not read the channel's state) is sent
// again, as the protocol says. It records the interactions its score
// messages name, its snapshots, its replays, and
// any break of the protocol's promise (a seq gap in an epoch, a score
// message in an epoch it has no snapshot of).
type wsResumer struct {
	agent, token, channel string
	servers               []string

	mu         sync.Mutex
	named      map[string]bool // id@revision
	snapTimes  []time.Time
	epoch      string
	seq        int64
	replays    int
	reconnects int
	// unavailable counts subscriptions answered "unavailable" and sent
	// again.
	unavailable int
	problems    []string
}

func newWSResumer(agent, token string, servers []string) *wsResumer {
	return &wsResumer{agent: agent, token: token, channel: "agent:" + agent, servers: servers, named: map[string]bool{}}
}

type wsClientMessage struct {
	Op, Channel, Type, Epoch, Error, Message string
	Seq                                      int64
	Data                                     struct {
		Interactions []struct {
			ID       string `json:"id"`
			Revision int64  `json:"revision"`
		} `json:"interactions"`
	}
}

func (c *wsResumer) run(ctx context.Context) {
	next := 0
	for ctx.Err() == nil {
		addr := c.servers[next%len(c.servers)]
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		ws, _, err := websocket.DefaultDialer.DialContext(dctx, "ws://"+addr+"/v1/ws?access_token="+c.token, nil)
		cancel()
		if err != nil {
			next++
			select {
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
			continue
		}
		c.session(ctx, ws)
		c.mu.Lock()
		c.reconnects++
		c.mu.Unlock()
		next++ // the other server first: this one is likely stopping
	}
}

// session subscribes (resuming when it has an epoch) and reads until the
// connection ends.
func (c *wsResumer) session(ctx context.Context, ws *websocket.Conn) {
	stop := context.AfterFunc(ctx, func() { ws.Close() })
	defer stop()
	defer ws.Close()
	var resuming bool
	subscribe := func() error {
		c.mu.Lock()
		sub := map[string]any{"op": "subscribe", "channel": c.channel}
		resuming = c.epoch != ""
		if resuming {
			sub["epoch"], sub["since"] = c.epoch, c.seq
		}
		c.mu.Unlock()
		return ws.WriteJSON(sub)
	}
	if subscribe() != nil {
		return
	}
	for {
		var m wsClientMessage
		if err := ws.ReadJSON(&m); err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) && ce.Code != websocket.CloseGoingAway && ce.Code != websocket.CloseAbnormalClosure && ctx.Err() == nil {
				c.problem("connection closed with %d %s", ce.Code, ce.Text)
			}
			return
		}
		if c.handle(m, &resuming) {
			// "unavailable": the server could not read the channel's
			// state (a slow store); the protocol says retry later.
			time.Sleep(250 * time.Millisecond)
			if subscribe() != nil {
				return
			}
		}
	}
}

// handle records m; it reports whether the subscription must be sent
// again (an "unavailable" error, which the protocol says to retry).
func (c *wsResumer) handle(m wsClientMessage, resuming *bool) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m.Op == "error" {
		if m.Error == "unavailable" && m.Channel == c.channel {
			c.unavailable++
			return true
		}
		c.problems = append(c.problems, fmt.Sprintf("error on %s: %s %s", m.Channel, m.Error, m.Message))
		return false
	}
	if m.Channel != c.channel {
		return false
	}
	switch m.Type {
	case "snapshot":
		c.snapTimes = append(c.snapTimes, time.Now())
		c.epoch, c.seq = m.Epoch, m.Seq
	case "score":
		switch {
		case m.Epoch != c.epoch:
			c.problems = append(c.problems, fmt.Sprintf("score message seq %d in epoch %s without its snapshot (last epoch %s)", m.Seq, m.Epoch, c.epoch))
		case m.Seq != c.seq+1:
			c.problems = append(c.problems, fmt.Sprintf("seq gap in epoch %s: %d after %d", m.Epoch, m.Seq, c.seq))
		case *resuming:
			c.replays++
		}
		c.epoch, c.seq = m.Epoch, m.Seq
		for _, it := range m.Data.Interactions {
			c.named[revKey(it.ID, it.Revision)] = true
		}
	}
	*resuming = false
	return false
}

func (c *wsResumer) problem(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

func (c *wsResumer) snapshots() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.snapTimes)
}

// check waits until every final revision of the agent's interactions is
// either named by a score message or was first sent before the client's
// last snapshot (which is at least as new as anything folded before it),
// and reports the client's protocol problems.
func (c *wsResumer) check(t *testing.T, ref *reference.Dataset, fd *retryFeeder) {
	t.Helper()
	keys := finalRevisions(ref, c.agent)
	var named, bySnapshot int
	var missing []string
	limit := time.Now().Add(20 * time.Second)
	for {
		named, bySnapshot, missing = 0, 0, nil
		c.mu.Lock()
		last := c.snapTimes[len(c.snapTimes)-1]
		for _, k := range keys {
			if c.named[k] {
				named++
				continue
			}
			if at, ok := fd.attempts.get(k); ok && at.Before(last) {
				bySnapshot++
				continue
			}
			missing = append(missing, k)
		}
		c.mu.Unlock()
		if len(missing) == 0 || time.Now().After(limit) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	t.Logf("websocket %s: %d reconnects, %d snapshots, %d replays, %d subscriptions answered unavailable and retried; of its %d interactions %d named by score messages, %d older than its last snapshot, %d missed",
		c.channel, c.reconnects, len(c.snapTimes), c.replays, c.unavailable, len(keys), named, bySnapshot, len(missing))
	if len(missing) > 0 {
		t.Errorf("websocket %s never received %d interactions sent after its last snapshot: %v", c.channel, len(missing), missing[:min(len(missing), 10)])
	}
	for _, p := range c.problems[:min(len(c.problems), 10)] {
		t.Errorf("websocket %s: %s", c.channel, p)
	}
}
