package oidc

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-chi/chi/v5"
	"golang.org/x/oauth2"

	"github.com/agentpulse/agentpulse/audit"
	"github.com/agentpulse/agentpulse/auth"
)

// Cookie names and routes.
const (
	stateCookie   = "agentpulse_oidc"
	refreshCookie = "agentpulse_refresh"
	PathLogin     = "/auth/login"
	PathCallback  = "/auth/callback"
	PathRefresh   = "/auth/refresh"
	PathSession   = "/auth/session"
	PathLogout    = "/auth/logout"
	PathSSO       = "/auth/sso"
)

// provider is one tenant's IdP.
type provider struct {
	cfg      TenantConfig
	oidc     *gooidc.Provider
	oauth    oauth2.Config
	idTokens *gooidc.IDTokenVerifier // aud = client id
	access   *gooidc.IDTokenVerifier // aud = Audience, for API clients
	endURL   string                  // end_session_endpoint, when the IdP has one
}

// OIDC serves sign-in for the tenants of a Config.
type OIDC struct {
	cfg       Config
	secret    []byte
	byTenant  map[string]*provider
	byIssuer  map[string][]*provider // tenants may share an IdP, with their own clients
	states    sealer
	refreshes sealer
	log       *slog.Logger
}

// New discovers every tenant's IdP. secret signs the session tokens (the
// product's HS256 secret, so every server and auth.Verifier accepts them).
func New(ctx context.Context, cfg Config, secret []byte, log *slog.Logger) (*OIDC, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 15 * time.Minute
	}
	if cfg.KeyMaxAge <= 0 {
		cfg.KeyMaxAge = DefaultKeyMaxAge
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	o := &OIDC{cfg: cfg, secret: secret, byTenant: map[string]*provider{}, byIssuer: map[string][]*provider{}, log: log}
	var err error
	if o.states, err = newSealer(secret, "state"); err != nil {
		return nil, err
	}
	if o.refreshes, err = newSealer(secret, "refresh"); err != nil {
		return nil, err
	}
	for _, t := range cfg.Tenants {
		t = t.withDefaults()
		p, err := gooidc.NewProvider(ctx, t.Issuer)
		if err != nil {
			return nil, fmt.Errorf("tenant %s: discover %s: %w", t.Tenant, t.Issuer, err)
		}
		var meta struct {
			EndSession string `json:"end_session_endpoint"`
			JWKS       string `json:"jwks_uri"`
		}
		_ = p.Claims(&meta)
		if meta.JWKS == "" {
			return nil, fmt.Errorf("tenant %s: %s publishes no jwks_uri", t.Tenant, t.Issuer)
		}
		algs := []string{gooidc.RS256, gooidc.ES256}
		keys := newKeySet(meta.JWKS, nil, MinKeyAge, cfg.KeyMaxAge)
		pr := &provider{cfg: t, oidc: p, endURL: meta.EndSession,
			oauth: oauth2.Config{ClientID: t.ClientID, ClientSecret: t.ClientSecret, Endpoint: p.Endpoint(),
				RedirectURL: strings.TrimSuffix(cfg.PublicURL, "/") + PathCallback, Scopes: append([]string{gooidc.ScopeOpenID}, t.Scopes...)},
			idTokens: gooidc.NewVerifier(t.Issuer, keys, &gooidc.Config{ClientID: t.ClientID, SupportedSigningAlgs: algs}),
			access:   gooidc.NewVerifier(t.Issuer, keys, &gooidc.Config{ClientID: t.Audience, SupportedSigningAlgs: algs}),
		}
		o.byTenant[t.Tenant] = pr
		o.byIssuer[t.Issuer] = append(o.byIssuer[t.Issuer], pr)
	}
	return o, nil
}

// Routes mounts the sign-in routes (no authentication required).
func (o *OIDC) Routes(r chi.Router) {
	r.Get(PathSSO, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"enabled":true}` + "\n"))
	})
	r.Get(PathLogin, o.login)
	r.Get(PathCallback, o.callback)
	r.Post(PathRefresh, o.refresh)
	r.Get(PathSession, o.session)
	r.Get(PathLogout, o.logout)
	r.Post(PathLogout, o.logout)
}

// flow is what the state cookie keeps between login and callback.
type flow struct {
	Tenant   string `json:"tenant"`
	State    string `json:"state"`
	Nonce    string `json:"nonce"`
	Verifier string `json:"verifier"`
}

func random() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// login starts the flow for ?tenant=.
func (o *OIDC) login(w http.ResponseWriter, r *http.Request) {
	p := o.byTenant[r.URL.Query().Get("tenant")]
	if p == nil {
		auth.WriteError(w, http.StatusNotFound, "no single sign-on is configured for this tenant", "tenant")
		return
	}
	f := flow{Tenant: p.cfg.Tenant, State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier()}
	v, err := o.states.seal(f, 10*time.Minute)
	if err != nil {
		auth.WriteError(w, http.StatusInternalServerError, "could not start the sign-in", "")
		return
	}
	o.setCookie(w, r, stateCookie, v, PathCallback, 10*time.Minute)
	http.Redirect(w, r, p.oauth.AuthCodeURL(f.State, gooidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)), http.StatusFound)
}

// callback ends the flow: the code is exchanged with the PKCE verifier at
// the tenant's IdP, its ID token verified (issuer, audience, nonce) and
// mapped, and the session cookies set.
func (o *OIDC) callback(w http.ResponseWriter, r *http.Request) {
	var f flow
	ck, err := r.Cookie(stateCookie)
	if err != nil || o.states.open(ck.Value, &f) != nil || f.State == "" || r.URL.Query().Get("state") != f.State {
		auth.WriteError(w, http.StatusBadRequest, "the sign-in is not one this browser started (or it took over 10 minutes); start again", "state")
		return
	}
	o.setCookie(w, r, stateCookie, "", PathCallback, -1)
	if e := r.URL.Query().Get("error"); e != "" {
		auth.WriteError(w, http.StatusUnauthorized, "the identity provider refused the sign-in: "+clip(e), "error")
		return
	}
	p := o.byTenant[f.Tenant]
	if p == nil {
		auth.WriteError(w, http.StatusNotFound, "no single sign-on is configured for this tenant", "tenant")
		return
	}
	tok, err := p.oauth.Exchange(r.Context(), r.URL.Query().Get("code"), oauth2.VerifierOption(f.Verifier))
	if err != nil {
		o.log.Info("oidc code exchange refused", "tenant", f.Tenant, "err", err)
		auth.WriteError(w, http.StatusUnauthorized, "the identity provider did not accept the sign-in code", "code")
		return
	}
	c, err := o.verifyID(r.Context(), p, tok, f.Nonce)
	if err != nil {
		o.log.Info("oidc sign-in refused", "tenant", f.Tenant, "err", err)
		o.cfg.Audit.Record(r.Context(), audit.Event{Tenant: f.Tenant, Action: audit.SignInRefused, Detail: clip(err.Error())})
		auth.WriteError(w, http.StatusForbidden, "sign-in refused: "+err.Error(), "id_token")
		return
	}
	if err := o.startSession(w, r, p, c, tok.RefreshToken); err != nil {
		auth.WriteError(w, http.StatusInternalServerError, "could not start the session", "")
		return
	}
	o.log.Info("signed in", "tenant", c.Tenant, "sub", c.Subject, "role", c.Role)
	o.cfg.Audit.Record(r.Context(), audit.By(c, audit.SignIn, c.Subject, "teams "+strings.Join(c.Teams, ",")))
	http.Redirect(w, r, "/", http.StatusFound)
}

// verifyID checks tok's ID token with p (issuer, audience, signature,
// expiry, nonce when given) and maps its claims.
func (o *OIDC) verifyID(ctx context.Context, p *provider, tok *oauth2.Token, nonce string) (auth.Claims, error) {
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return auth.Claims{}, errors.New("the identity provider sent no ID token")
	}
	idt, err := p.idTokens.Verify(ctx, raw)
	if err != nil {
		return auth.Claims{}, err
	}
	if nonce != "" && idt.Nonce != nonce {
		return auth.Claims{}, errors.New("the ID token's nonce is not this sign-in's")
	}
	var m map[string]any
	if err := idt.Claims(&m); err != nil {
		return auth.Claims{}, err
	}
	return o.admit(p.cfg.claimsOf(m))
}

// admit turns ErrNoRole into role agent for a person Config.Admits admits
// (the roster's role and teams then apply on every request).
func (o *OIDC) admit(c auth.Claims, err error) (auth.Claims, error) {
	if !errors.Is(err, ErrNoRole) {
		return c, err
	}
	if o.cfg.Admits == nil || c.Subject == "" || !o.cfg.Admits(c.Tenant, c.Subject) {
		return auth.Claims{}, err
	}
	c.Role, c.Teams = auth.RoleAgent, nil
	if verr := c.Validate(); verr != nil {
		return auth.Claims{}, verr
	}
	return c, nil
}

// refreshState is the refresh cookie's content.
type refreshState struct {
	Tenant string `json:"tenant"`
	Sub    string `json:"sub"`
	Token  string `json:"token"`
}

// startSession sets the session cookie (a product token for c) and, when
// the IdP gave one, the sealed refresh token.
func (o *OIDC) startSession(w http.ResponseWriter, r *http.Request, p *provider, c auth.Claims, refreshToken string) error {
	tok, err := auth.Mint(o.secret, c, o.cfg.SessionTTL)
	if err != nil {
		return err
	}
	o.setCookie(w, r, auth.SessionCookie, tok, "/", o.cfg.SessionTTL)
	if refreshToken != "" {
		v, err := o.refreshes.seal(refreshState{Tenant: p.cfg.Tenant, Sub: c.Subject, Token: refreshToken}, 30*24*time.Hour)
		if err != nil {
			return err
		}
		o.setCookie(w, r, refreshCookie, v, "/auth", 30*24*time.Hour)
	}
	return nil
}

// refresh asks the IdP for new tokens with the sealed refresh token and
// issues a new session from its answer: a role or team the IdP no longer
// gives is gone. 401 (and both cookies cleared) when it refuses.
func (o *OIDC) refresh(w http.ResponseWriter, r *http.Request) {
	var st refreshState
	ck, err := r.Cookie(refreshCookie)
	p := (*provider)(nil)
	if err == nil && o.refreshes.open(ck.Value, &st) == nil {
		p = o.byTenant[st.Tenant]
	}
	if p == nil {
		o.endSession(w, r)
		auth.WriteError(w, http.StatusUnauthorized, "no session to refresh; sign in again", "session")
		return
	}
	tok, err := p.oauth.TokenSource(r.Context(), &oauth2.Token{RefreshToken: st.Token, Expiry: time.Unix(1, 0)}).Token()
	var c auth.Claims
	if err == nil {
		c, err = o.verifyID(r.Context(), p, tok, "")
	}
	if err != nil {
		o.log.Info("oidc refresh refused", "tenant", st.Tenant, "err", err)
		o.cfg.Audit.Record(r.Context(), audit.Event{Tenant: st.Tenant, Actor: st.Sub, Action: audit.SessionEnded, Target: st.Sub, Detail: clip(err.Error())})
		o.endSession(w, r)
		auth.WriteError(w, http.StatusUnauthorized, "the identity provider no longer admits this session; sign in again", "session")
		return
	}
	next := tok.RefreshToken
	if next == "" {
		next = st.Token
	}
	if err := o.startSession(w, r, p, c, next); err != nil {
		auth.WriteError(w, http.StatusInternalServerError, "could not renew the session", "")
		return
	}
	writeClaims(w, c)
}

// session answers the claims of the session cookie (for the dashboard's
// navigation; the cookie itself is HttpOnly).
func (o *OIDC) session(w http.ResponseWriter, r *http.Request) {
	ck, err := r.Cookie(auth.SessionCookie)
	if err != nil {
		auth.WriteError(w, http.StatusUnauthorized, "no session", "session")
		return
	}
	c, err := auth.Verifier{Secret: o.secret}.Verify(ck.Value)
	if err != nil {
		auth.WriteError(w, http.StatusUnauthorized, "the session has ended: "+err.Error(), "session")
		return
	}
	writeClaims(w, c)
}

func writeClaims(w http.ResponseWriter, c auth.Claims) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	teams := c.Teams
	if teams == nil {
		teams = []string{}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"tenant": c.Tenant, "sub": c.Subject, "role": c.Role, "teams": teams, "exp": c.ExpiresAt.Unix()})
}

// logout clears the cookies and ends the IdP's session when it says how.
func (o *OIDC) logout(w http.ResponseWriter, r *http.Request) {
	var st refreshState
	var p *provider
	if ck, err := r.Cookie(refreshCookie); err == nil && o.refreshes.open(ck.Value, &st) == nil {
		p = o.byTenant[st.Tenant]
	}
	o.endSession(w, r)
	if p != nil && p.endURL != "" {
		u, err := url.Parse(p.endURL)
		if err == nil {
			q := u.Query()
			q.Set("client_id", p.cfg.ClientID)
			q.Set("post_logout_redirect_uri", strings.TrimSuffix(o.cfg.PublicURL, "/")+"/")
			u.RawQuery = q.Encode()
			http.Redirect(w, r, u.String(), http.StatusFound)
			return
		}
	}
	http.Redirect(w, r, "/", http.StatusFound)
}

func (o *OIDC) endSession(w http.ResponseWriter, r *http.Request) {
	o.setCookie(w, r, auth.SessionCookie, "", "/", -1)
	o.setCookie(w, r, refreshCookie, "", "/auth", -1)
}

// setCookie sets an HttpOnly, SameSite=Lax cookie, Secure unless the
// request is plain http to a loopback host (development).
func (o *OIDC) setCookie(w http.ResponseWriter, r *http.Request, name, value, path string, ttl time.Duration) {
	c := &http.Cookie{Name: name, Value: value, Path: path, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: !plainLoopback(r)}
	if ttl < 0 {
		c.MaxAge = -1
	} else {
		c.MaxAge = int(ttl / time.Second)
	}
	http.SetCookie(w, c)
}

func plainLoopback(r *http.Request) bool {
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		return false
	}
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// Verifier admits, besides the product's tokens (Next), an access token
// issued by a configured tenant's IdP for that tenant: a JWT signed RS256
// or ES256 by a key of the IdP's JWKS (an unknown kid refetches it), with
// that IdP's iss and the tenant's audience, unexpired, whose groups map to
// a role.
type Verifier struct {
	OIDC *OIDC
	Next auth.TokenVerifier
}

var _ auth.TokenVerifier = Verifier{}

// Verify implements auth.TokenVerifier.
func (v Verifier) Verify(token string) (auth.Claims, error) {
	iss := peekIssuer(token)
	if ps := v.OIDC.byIssuer[iss]; len(ps) > 0 && iss != "" {
		if len(token) > auth.MaxTokenBytes {
			return auth.Claims{}, fmt.Errorf("%w: longer than %d bytes", auth.ErrMalformed, auth.MaxTokenBytes)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		// Tenants sharing an IdP are told apart by audience: the first
		// whose verifier (issuer, audience, signature) accepts it.
		var p *provider
		var t *gooidc.IDToken
		var err error
		for _, p = range ps {
			if t, err = p.access.Verify(ctx, token); err == nil {
				break
			}
		}
		if err != nil {
			return auth.Claims{}, fmt.Errorf("%w: %w", auth.ErrSignature, err)
		}
		var m map[string]any
		if err := t.Claims(&m); err != nil {
			return auth.Claims{}, fmt.Errorf("%w: %w", auth.ErrMalformed, err)
		}
		c, err := v.OIDC.admit(p.cfg.claimsOf(m))
		if err != nil {
			return auth.Claims{}, err
		}
		c.ExpiresAt = t.Expiry
		return c, nil
	}
	return v.Next.Verify(token)
}

// peekIssuer returns the unverified iss of a JWT, to choose its verifier.
func peekIssuer(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || len(parts[1]) > auth.MaxTokenBytes {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var c struct {
		Iss string `json:"iss"`
	}
	_ = json.Unmarshal(b, &c)
	return c.Iss
}
