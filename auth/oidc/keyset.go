package oidc

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
)

// The IdP's signing keys (JWKS) are cached, and go-oidc's RemoteKeySet
// fetches them again only for a kid it does not know: a key the IdP
// retired kept verifying on a running server until some token carried an
// unknown kid. keySet bounds that: the copy is fetched again once it is
// older than the max-age of the JWKS answer's Cache-Control, clamped to
// [MinKeyAge, Config.KeyMaxAge] (no max-age: KeyMaxAge).

// DefaultKeyMaxAge is the longest a fetched JWKS is trusted when
// Config.KeyMaxAge is zero: a key the IdP retires stops verifying within
// this time.
const DefaultKeyMaxAge = 10 * time.Minute

// MinKeyAge is the shortest: an IdP answering max-age=0 or no-store is not
// asked on every request.
const MinKeyAge = 30 * time.Second

// keySet is a gooidc.KeySet that replaces its RemoteKeySet (whose next
// verification fetches the keys) once the fetched copy has expired.
type keySet struct {
	url            string
	client         *http.Client // records each JWKS answer's max-age
	floor, ceiling time.Duration
	now            func() time.Time

	mu      sync.Mutex
	set     *gooidc.RemoteKeySet
	fetched time.Time     // when the current set last fetched; zero: not yet
	ttl     time.Duration // how long that copy is trusted
}

var _ gooidc.KeySet = (*keySet)(nil)

func newKeySet(url string, base *http.Client, floor, ceiling time.Duration) *keySet {
	if floor > ceiling {
		floor = ceiling
	}
	k := &keySet{url: url, floor: floor, ceiling: ceiling, now: time.Now}
	rt := http.DefaultTransport
	if base != nil && base.Transport != nil {
		rt = base.Transport
	}
	k.client = &http.Client{Transport: observer{rt: rt, k: k}, Timeout: 30 * time.Second}
	k.renew()
	return k
}

// renew starts a new RemoteKeySet: its first verification fetches.
func (k *keySet) renew() {
	k.set = gooidc.NewRemoteKeySet(gooidc.ClientContext(context.Background(), k.client), k.url)
	k.fetched = time.Time{}
}

// VerifySignature implements gooidc.KeySet.
func (k *keySet) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	k.mu.Lock()
	if !k.fetched.IsZero() && k.now().Sub(k.fetched) >= k.ttl {
		k.renew()
	}
	set := k.set
	k.mu.Unlock()
	return set.VerifySignature(ctx, jwt)
}

// fetchedAt records a successful JWKS answer and its max-age.
func (k *keySet) fetchedAt(t time.Time, cacheControl string) {
	ttl := k.ceiling
	if age, ok := maxAge(cacheControl); ok {
		ttl = min(max(age, k.floor), k.ceiling)
	}
	k.mu.Lock()
	k.fetched, k.ttl = t, ttl
	k.mu.Unlock()
}

// observer passes the JWKS requests on and records every successful
// answer's Cache-Control.
type observer struct {
	rt http.RoundTripper
	k  *keySet
}

func (o observer) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := o.rt.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusOK {
		o.k.fetchedAt(o.k.now(), resp.Header.Get("Cache-Control"))
	}
	return resp, err
}

// maxAge returns the max-age of a Cache-Control value (no-store and
// no-cache count as 0), and false when it has none.
func maxAge(cc string) (time.Duration, bool) {
	age, found := time.Duration(0), false
	for _, d := range strings.Split(cc, ",") {
		d = strings.ToLower(strings.TrimSpace(d))
		switch {
		case d == "no-store" || d == "no-cache":
			return 0, true
		case strings.HasPrefix(d, "max-age="):
			n, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(d, "max-age="), `"`), 10, 64)
			if err != nil || n < 0 {
				continue
			}
			if n > int64(365*24*time.Hour/time.Second) {
				n = int64(365 * 24 * time.Hour / time.Second)
			}
			age, found = time.Duration(n)*time.Second, true
		}
	}
	return age, found
}
