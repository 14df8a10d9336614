package retention

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/agentpulse/agentpulse/processor/store"
)

// Erasure subjects. An erasure must recognise its customer key or agent
// id again later (a repeat, a restart after a crash, a store rebuilt from
// the log that still holds the value) without keeping the value. A plain
// SHA-256 does not hide it: agent ids (and customer keys a client sends
// unhashed, such as phone numbers) are few enough to hash every guess.
// So the subject is an HMAC-SHA256 under a per-tenant key derived from
// the server's erasure secret (Runner.Secret: --erasure-secret, or the
// one generated once in --data-dir beside the auth secret). Whoever reads
// `data-policy`, `audit` or GET /v1/erasures without the secret cannot
// link a pseudonym to an agent.
//
// The policy topic records the id of the secret (never the secret) the
// first time a server erases; a server started with another secret
// refuses to erase or re-apply (the error names --erasure-secret) instead
// of silently not recognising the erasures made so far. Every erasure
// also records the id of its tenant's key (KeyID). Erasures recorded before keyed subjects (KeyID empty)
// hold a plain SHA-256: they are still matched, and an agent's is
// rewritten with a keyed subject when its id is met again.

// MinSecretBytes is the shortest erasure secret accepted.
const MinSecretBytes = 32

// secretID names the erasure secret without revealing it.
func (r *Runner) secretID() string {
	m := hmac.New(sha256.New, r.Secret)
	m.Write([]byte("agentpulse erasure secret id"))
	return hex.EncodeToString(m.Sum(nil)[:8])
}

// checkSecret refuses a missing or short secret and one other than the
// deployment's (recorded on the policy topic by the first server that
// needed it). r.mu is held.
func (r *Runner) checkSecret(ctx context.Context) error {
	if len(r.Secret) < MinSecretBytes {
		return fmt.Errorf("erasures: the erasure secret has %d bytes, need at least %d (--erasure-secret, or leave it empty to use the one generated in --data-dir)",
			len(r.Secret), MinSecretBytes)
	}
	id := r.secretID()
	switch recorded := r.Policy.SecretID(); recorded {
	case id:
		return nil
	case "":
		return r.Policy.SetSecretID(ctx, id)
	default:
		return fmt.Errorf("erasures: this server's erasure secret (id %s) is not the one the erasures so far were made with (id %s): start every server with the same --erasure-secret",
			id, recorded)
	}
}

// tenantKey is the tenant's subject key: HMAC-SHA256(Secret, purpose ‖
// tenant), so that one tenant's key says nothing of another's.
func (r *Runner) tenantKey(tenant string) []byte { return tenantKey(r.Secret, tenant) }

func tenantKey(secret []byte, tenant string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("agentpulse erasure subject key\x00"))
	m.Write([]byte(tenant))
	return m.Sum(nil)
}

// keyID names the tenant's key without revealing it.
func (r *Runner) keyID(tenant string) string { return keyIDOf(r.tenantKey(tenant)) }

func keyIDOf(tenantKey []byte) string {
	m := hmac.New(sha256.New, tenantKey)
	m.Write([]byte("key id"))
	return hex.EncodeToString(m.Sum(nil)[:8])
}

// subject is what a new erasure of value keeps.
func (r *Runner) subject(tenant, value string) string {
	return store.SubjectHash(r.tenantKey(tenant), value)
}

// match recognises e's subject; an erasure made under another secret is
// an error naming the flag.
func (r *Runner) match(e Erasure) (store.SubjectMatch, error) {
	if e.KeyID == "" {
		return store.SubjectMatch{Hash: e.Subject}, nil // recorded before keyed subjects
	}
	if id := r.keyID(e.Tenant); e.KeyID != id {
		return store.SubjectMatch{}, fmt.Errorf("erasure %s of tenant %q was recorded under another erasure secret (key id %s, this server's %s): start every server with the --erasure-secret it was made with",
			e.ID, e.Tenant, e.KeyID, id)
	}
	return store.SubjectMatch{Key: r.tenantKey(e.Tenant), Hash: e.Subject}, nil
}

// erasureOf returns the tenant's erasure of kind whose subject is value,
// if any.
func (r *Runner) erasureOf(tenant, kind, value string) (Erasure, bool) {
	for _, e := range r.Policy.Erasures(tenant) {
		if e.Kind != kind {
			continue
		}
		if m, err := r.match(e); err == nil && m.Matches(value) {
			return e, true
		}
	}
	return Erasure{}, false
}

// keyed gives e a keyed subject of value (an erasure recorded before
// keyed subjects is rewritten when its value is met again).
func (r *Runner) keyed(e Erasure, value string) Erasure {
	e.Subject, e.KeyID = r.subject(e.Tenant, value), r.keyID(e.Tenant)
	return e
}
