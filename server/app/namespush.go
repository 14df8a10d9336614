package app

import (
	"maps"
	"sync"
	"time"

	"github.com/agentpulse/agentpulse/auth/roster"
	"github.com/agentpulse/agentpulse/server/ws"
)

// namesPushDelay is how long name changes are gathered before they are
// pushed: a PUT /v1/names of many names, or a roster import, is one
// message per open page, not one per name.
const namesPushDelay = 200 * time.Millisecond

// namesChange is the data of a ws.OpNames message: the names that
// changed, by kind then id, "" for a removed one.
type namesChange struct {
	People    map[string]string `json:"people,omitempty"`
	Teams     map[string]string `json:"teams,omitempty"`
	Inquiries map[string]string `json:"inquiries,omitempty"`
	Models    map[string]string `json:"models,omitempty"`
}

// namesPush gathers the roster's display-name changes (roster.OnNames)
// per tenant and pushes each tenant's to its open websockets
// (ws.Hub.PushTenant) namesPushDelay after the first: every server
// applies every change from the roster's topic, so each pushes to its
// own connections. add never blocks; safe for concurrent use.
type namesPush struct {
	push  func(tenant, op string, data any)
	delay time.Duration

	mu      sync.Mutex
	pending map[string]*namesChange
	armed   bool
}

func newNamesPush(push func(tenant, op string, data any), delay time.Duration) *namesPush {
	return &namesPush{push: push, delay: delay, pending: map[string]*namesChange{}}
}

// add records changed (roster.OnNames' argument) for the next push.
func (p *namesPush) add(tenant string, changed roster.Names) {
	p.mu.Lock()
	defer p.mu.Unlock()
	nc := p.pending[tenant]
	if nc == nil {
		nc = &namesChange{}
		p.pending[tenant] = nc
	}
	merge := func(dst *map[string]string, src map[string]string) {
		if len(src) == 0 {
			return
		}
		if *dst == nil {
			*dst = map[string]string{}
		}
		maps.Copy(*dst, src)
	}
	merge(&nc.People, changed.People)
	merge(&nc.Teams, changed.Teams)
	merge(&nc.Inquiries, changed.Inquiries)
	merge(&nc.Models, changed.Models)
	if !p.armed {
		p.armed = true
		time.AfterFunc(p.delay, p.flush)
	}
}

// flush pushes what was gathered.
func (p *namesPush) flush() {
	p.mu.Lock()
	pending := p.pending
	p.pending, p.armed = map[string]*namesChange{}, false
	p.mu.Unlock()
	for tenant, nc := range pending {
		p.push(tenant, ws.OpNames, nc)
	}
}
