// Package oidctest runs a real OpenID provider in process for tests:
// zitadel/oidc's example provider (authorization code with PKCE, refresh
// tokens, JWT access tokens, a username/password login page), with a
// "groups" claim per user. It is for tests only.
//
// Concurrency: a Provider is safe for concurrent use.
package oidctest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/oauth2"
)

// Provider is a real OpenID provider (zitadel/oidc's example OP) served in
// process: users with passwords, a "groups" claim per user (in ID tokens,
// userinfo and JWT access tokens), one web client per test tenant.
type Provider struct {
	// URL is the issuer.
	URL string
	st  *opStorage
}

// User is one user of the provider: its id (sub), password and groups.
type User struct {
	ID, Password string
	Groups       []string
}

// opStorage adds the groups claim (scope "groups") and JWT access tokens
// to the example storage.
type opStorage struct {
	*storage.Storage
	mu         sync.Mutex
	groups     map[string][]string
	postLogout []string
	// keys are the signing keys made by RotateKey, newest (the one that
	// signs) first; old are the example's own public keys, published
	// until RetireOldKeys. Empty keys: the example's key signs.
	keys    []*rotKey
	old     []op.Key
	retired bool
}

// rotKey is an RS256 key made by RotateKey.
type rotKey struct {
	id  string
	key *rsa.PrivateKey
}

func (k *rotKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *rotKey) Key() any                                    { return k.key }
func (k *rotKey) ID() string                                  { return k.id }

// rotPublic is the published half of a rotKey.
type rotPublic struct{ k *rotKey }

func (p rotPublic) ID() string                         { return p.k.id }
func (p rotPublic) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (p rotPublic) Use() string                        { return "sig" }
func (p rotPublic) Key() any                           { return &p.k.key.PublicKey }

// RotateKey makes a new signing key (a new kid): tokens issued from now
// on are signed with it, and the keys endpoint publishes it beside the
// older ones (the overlap of a rotation) until RetireOldKeys. It returns
// the new kid.
func (p *Provider) RotateKey(t testing.TB) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s := p.st
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.keys) == 0 && !s.retired {
		old, err := s.Storage.KeySet(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		s.old = old
	}
	rk := &rotKey{id: fmt.Sprintf("rotated-%d", len(s.keys)+1), key: k}
	s.keys = append([]*rotKey{rk}, s.keys...)
	return rk.id
}

// RetireOldKeys stops publishing every key but the newest: tokens signed
// with the others no longer verify at a relying party that fetches the
// keys again (a new one, or after an unknown kid).
func (p *Provider) RetireOldKeys() {
	s := p.st
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.keys) > 0 {
		s.keys = s.keys[:1]
	}
	s.old, s.retired = nil, true
}

// SigningKey is the newest rotated key, else the example's.
func (s *opStorage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.keys) == 0 {
		return s.Storage.SigningKey(ctx)
	}
	return s.keys[0], nil
}

// KeySet publishes the rotated keys and, until RetireOldKeys, the
// example's own.
func (s *opStorage) KeySet(ctx context.Context) ([]op.Key, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.keys) == 0 {
		return s.Storage.KeySet(ctx)
	}
	out := make([]op.Key, 0, len(s.keys)+len(s.old))
	for _, k := range s.keys {
		out = append(out, rotPublic{k})
	}
	return append(out, s.old...), nil
}

// SetGroups changes a user's groups (a role revoked at the provider).
func (p *Provider) SetGroups(user string, g []string) { p.st.setGroups(user, g) }

func (s *opStorage) setGroups(user string, g []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groups[user] = g
}

func (s *opStorage) groupsOf(user string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.groups[user])
}

func (s *opStorage) SetUserinfoFromRequest(ctx context.Context, ui *zoidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, ui, req, scopes); err != nil {
		return err
	}
	if slices.Contains(scopes, "groups") {
		ui.AppendClaims("groups", s.groupsOf(req.GetSubject()))
	}
	return nil
}

func (s *opStorage) GetPrivateClaimsFromScopes(ctx context.Context, userID, clientID string, scopes []string) (map[string]any, error) {
	m, err := s.Storage.GetPrivateClaimsFromScopes(ctx, userID, clientID, scopes)
	if slices.Contains(scopes, "groups") {
		if m == nil {
			m = map[string]any{}
		}
		m["groups"] = s.groupsOf(userID)
	}
	return m, err
}

func (s *opStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, id)
	if err != nil {
		return nil, err
	}
	return jwtClient{Client: c, postLogout: s.postLogout}, nil
}

// jwtClient issues JWT access tokens, admits the groups scope and sends
// the browser back to the relying party after logout.
type jwtClient struct {
	op.Client
	postLogout []string
}

func (c jwtClient) PostLogoutRedirectURIs() []string { return c.postLogout }

func (jwtClient) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeJWT }
func (c jwtClient) IsScopeAllowed(s string) bool      { return s == "groups" || c.Client.IsScopeAllowed(s) }

// Start starts a provider for t with users and a web client
// clientID/secret redirecting to redirect; it stops when t ends.
func Start(t testing.TB, users []User, clientID, secret, redirect string) *Provider {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	issuer := "http://" + ts.Listener.Addr().String()
	file := map[string]*storage.User{}
	groups := map[string][]string{}
	for _, u := range users {
		file[u.ID] = &storage.User{ID: u.ID, Username: u.ID, Password: u.Password, FirstName: u.ID, LastName: "Test", EmailVerified: true}
		groups[u.ID] = u.Groups
	}
	path := filepath.Join(t.TempDir(), "users.json")
	b, _ := json.Marshal(file)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	us, err := storage.StoreFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	storage.RegisterClients(storage.WebClient(clientID, secret, redirect))
	st := &opStorage{Storage: storage.NewStorage(us), groups: groups,
		postLogout: []string{strings.TrimSuffix(redirect, "/auth/callback") + "/"}}
	ts.Config.Handler = exampleop.SetupServer(issuer, st, nil, false)
	ts.Start()
	t.Cleanup(ts.Close)
	return &Provider{URL: issuer, st: st}
}

// AccessToken runs the code flow against p as an API client would and
// returns the provider's (JWT) access token for user.
func AccessToken(t testing.TB, p *Provider, clientID, secret, redirect, user, password string) string {
	t.Helper()
	ctx := context.Background()
	prov, err := gooidc.NewProvider(ctx, p.URL)
	if err != nil {
		t.Fatal(err)
	}
	conf := oauth2.Config{ClientID: clientID, ClientSecret: secret, Endpoint: prov.Endpoint(), RedirectURL: redirect,
		Scopes: []string{gooidc.ScopeOpenID, "groups"}}
	verifier := oauth2.GenerateVerifier()
	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(r.URL.String(), redirect) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := cl.Get(conf.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := resp.Request.URL.Query().Get("authRequestID")
	resp, err = cl.PostForm(p.URL+"/login/username", url.Values{"id": {id}, "username": {user}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("no code in %q", resp.Header.Get("Location"))
	}
	tok, err := conf.Exchange(ctx, loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	return tok.AccessToken
}
