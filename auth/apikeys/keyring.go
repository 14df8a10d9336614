package apikeys

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/agentpulse/agentpulse/auth"
)

// Keyring is the in-memory view of every key, kept by a Log.
type Keyring struct {
	now func() time.Time

	mu       sync.RWMutex
	byID     map[string]Record // id → newest state
	onChange []func()
}

// OnChange registers f, called (outside the lock) after any key changed:
// the websocket hub re-verifies open connections, so that a revoked
// wallboard key's TV stops at once.
func (k *Keyring) OnChange(f func()) {
	k.mu.Lock()
	k.onChange = append(k.onChange, f)
	k.mu.Unlock()
}

// NewKeyring returns an empty keyring on the clock now (nil: time.Now).
func NewKeyring(now func() time.Time) *Keyring {
	if now == nil {
		now = time.Now
	}
	return &Keyring{now: now, byID: map[string]Record{}}
}

// put keeps r unless a state with a higher or equal version is held.
func (k *Keyring) put(r Record) {
	k.mu.Lock()
	if old, ok := k.byID[r.ID]; ok && old.Version >= r.Version {
		k.mu.Unlock()
		return
	}
	k.byID[r.ID] = r
	fs := slices.Clone(k.onChange)
	k.mu.Unlock()
	for _, f := range fs {
		f()
	}
}

// get returns the newest state of the tenant's key id.
func (k *Keyring) get(tenant, id string) (Record, bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	r, ok := k.byID[id]
	if !ok || r.Tenant != tenant {
		return Record{}, false
	}
	return r, true
}

// List returns the tenant's keys, newest first.
func (k *Keyring) List(tenant string) []Record {
	k.mu.RLock()
	var out []Record
	for _, r := range k.byID {
		if r.Tenant == tenant {
			out = append(out, r)
		}
	}
	k.mu.RUnlock()
	slices.SortFunc(out, func(a, b Record) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out
}

// Errors of Check, wrapped so that they match auth.ErrSignature (a key the
// server does not hold or that no longer works is refused like a forged
// token: 401).
var (
	ErrUnknownKey = fmt.Errorf("%w: unknown API key", auth.ErrSignature)
	ErrRevokedKey = fmt.Errorf("%w: the API key was revoked", auth.ErrSignature)
)

// Check returns the claims of key: role ingest in the key's tenant, subject
// "apikey-" and its id; a wallboard key (Record.Wallboard) role wallboard
// with Claims.Wallboard its model. The key is compared by hash in
// constant time.
func (k *Keyring) Check(key string) (auth.Claims, error) {
	id, err := parse(key)
	if err != nil {
		return auth.Claims{}, fmt.Errorf("%w: %w", auth.ErrMalformed, err)
	}
	k.mu.RLock()
	r, ok := k.byID[id]
	k.mu.RUnlock()
	if !ok || subtle.ConstantTimeCompare([]byte(hash(key)), []byte(r.Hash)) != 1 {
		return auth.Claims{}, ErrUnknownKey
	}
	if !r.Active(k.now()) {
		return auth.Claims{}, ErrRevokedKey
	}
	if r.Wallboard != "" {
		return auth.Claims{Tenant: r.Tenant, Subject: "apikey-" + r.ID, Role: auth.RoleWallboard, Wallboard: r.Wallboard}, nil
	}
	return auth.Claims{Tenant: r.Tenant, Subject: "apikey-" + r.ID, Role: auth.RoleIngest}, nil
}

// Verifier admits API keys (by Prefix) through Keys and every other bearer
// string through Next (the JWT verifier).
type Verifier struct {
	Keys *Keyring
	Next auth.TokenVerifier
}

var _ auth.TokenVerifier = Verifier{}

// Verify implements auth.TokenVerifier.
func (v Verifier) Verify(token string) (auth.Claims, error) {
	if strings.HasPrefix(token, Prefix) {
		if v.Keys == nil {
			return auth.Claims{}, ErrUnknownKey
		}
		return v.Keys.Check(token)
	}
	if v.Next == nil {
		return auth.Claims{}, errors.New("no token verifier")
	}
	return v.Next.Verify(token)
}
