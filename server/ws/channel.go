package ws

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"github.com/agentpulse/agentpulse/auth"
)

// message is one published message, encoded once for every subscriber.
type message struct {
	seq   uint64
	typ   string
	frame []byte
	// teams, when not nil, restricts the message to supervisors leading
	// one of them (admins and other roles the channel admits see it all):
	// how a wallboard shows a supervisor only their teams.
	teams []string
}

// visibleTo reports whether the holder of c receives m.
func (m *message) visibleTo(c *auth.Claims) bool {
	if m.teams == nil || c.Role != auth.RoleSupervisor {
		return true
	}
	for _, t := range m.teams {
		if c.Leads(t) {
			return true
		}
	}
	return false
}

// channel is one tenant's channel: its epoch, its last seq, the history
// kept for resumes and its subscribers. Lock order: Hub.mu, then
// channel.mu, then conn.mu.
type channel struct {
	key  string // tenant + "\x00" + name
	name string
	// epoch names this incarnation of the channel: a channel dropped (no
	// subscriber for HistoryTTL) or held by another server instance has
	// another epoch, and seqs of different epochs are unrelated.
	epoch string

	mu      sync.Mutex
	seq     uint64
	history ring
	subs    map[*subscription]struct{}
	idle    time.Time // when the last subscriber left; zero while it has some
}

func newChannel(key, name string, historySize int) *channel {
	return &channel{key: key, name: name, epoch: newEpoch(), history: ring{size: historySize},
		subs: map[*subscription]struct{}{}}
}

// newEpoch returns 16 random hex digits.
func newEpoch() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// replay returns the messages after since when the history still holds
// every one of them (an empty slice when since is the last seq), and
// false otherwise. Called with mu held.
func (ch *channel) replay(since uint64) ([]*message, bool) {
	switch {
	case since > ch.seq:
		return nil, false
	case since == ch.seq:
		return []*message{}, true
	}
	oldest, ok := ch.history.oldest()
	if !ok || oldest > since+1 {
		return nil, false
	}
	return ch.history.since(since), true
}

// ring is a history of at most size messages, oldest first. Its buffer
// grows as messages arrive: a channel nothing is published on costs no
// slots.
type ring struct {
	buf   []*message
	size  int
	start int // index of the oldest; 0 until the ring is full
	n     int
}

func (r *ring) push(m *message) {
	if r.size == 0 {
		return
	}
	if r.n < r.size {
		r.buf = append(r.buf, m) // start is 0 and len(buf) == n until full
		r.n++
		return
	}
	r.buf[r.start] = m
	r.start = (r.start + 1) % len(r.buf)
}

func (r *ring) oldest() (uint64, bool) {
	if r.n == 0 {
		return 0, false
	}
	return r.buf[r.start].seq, true
}

// since returns the messages with seq > s, oldest first.
func (r *ring) since(s uint64) []*message {
	var out []*message
	for i := 0; i < r.n; i++ {
		m := r.buf[(r.start+i)%len(r.buf)]
		if m.seq > s {
			out = append(out, m)
		}
	}
	return out
}
