// session.js: who is signed in. Two kinds of session: single sign-on
// (the server keeps an HttpOnly session cookie this code never sees; the
// claims come from GET /auth/session, a refresh from POST /auth/refresh),
// or a pasted bearer token kept in localStorage (this device only) whose
// claims are read from the JWT payload. The server checks every call
// anyway.
const KEY = "agentpulse.token";
let listeners = [];
let cookie = null; // the single sign-on session's claims
// me is GET /v1/me: who the server says the holder is now, the tenant's
// roster of people applied (an admin may have changed the role or teams
// since the token was issued). Reloaded by whoami().
let me = null;

function notify() { listeners.forEach((f) => f()); }

function decode(tok) {
  try {
    const part = tok.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part + "===".slice((part.length + 3) % 4)));
  } catch {
    return null;
  }
}

export const session = {
  token() { return localStorage.getItem(KEY) || ""; },
  // sso reports whether the session is the single sign-on cookie.
  sso() { return !this.token() && cookie !== null; },
  // load asks the server for a single sign-on session (once, at start).
  async load() {
    if (this.token()) return;
    try {
      const resp = await fetch("/auth/session", { headers: { Accept: "application/json" } });
      cookie = resp.ok ? await resp.json() : null;
    } catch {
      cookie = null;
    }
  },
  // refresh renews the single sign-on session at the identity provider;
  // false when it no longer admits the user (signed out).
  async refresh() {
    if (!this.sso()) return false;
    try {
      const resp = await fetch("/auth/refresh", { method: "POST", headers: { Accept: "application/json" } });
      cookie = resp.ok ? await resp.json() : null;
    } catch {
      cookie = null;
    }
    notify();
    return cookie !== null;
  },
  claims() {
    const t = this.token();
    if (t.startsWith("apk_")) {
      // A TV's wallboard key: not a JWT; the server says what it grants.
      if (!me || me.role !== "wallboard") return null;
      return { tenant: me.tenant, sub: me.sub, role: "wallboard", teams: [], wallboard: me.wallboard, name: "" };
    }
    const c = t ? decode(t) : cookie;
    if (!c) return null;
    if (c.exp && c.exp * 1000 < Date.now()) return null;
    const out = { tenant: c.tenant, sub: c.sub, role: c.role, teams: c.teams || [], exp: c.exp, name: "" };
    if (me && me.sub === c.sub && me.tenant === c.tenant) {
      out.role = me.role;
      out.teams = me.teams || [];
      out.name = me.name || "";
    }
    return out;
  },
  // whoami asks the server who the holder is now (GET /v1/me) and tells
  // the listeners when the role or teams changed. A server without a
  // roster (404) or a failure keeps the token's claims.
  async whoami() {
    if (!this.token() && cookie === null) { me = null; return; }
    const headers = { Accept: "application/json" };
    if (this.token()) headers.Authorization = "Bearer " + this.token();
    const before = JSON.stringify(this.claims());
    try {
      const resp = await fetch("/v1/me", { headers });
      me = resp.ok ? await resp.json() : null;
    } catch {
      me = null;
    }
    if (JSON.stringify(this.claims()) !== before) notify();
  },
  // useKey keeps a TV's wallboard key (apk_…) as this device's credential
  // and asks the server what it grants; false when it refuses the key.
  async useKey(key) {
    localStorage.setItem(KEY, key.trim());
    me = null;
    await this.whoami();
    if (!this.claims()) {
      localStorage.removeItem(KEY);
      notify();
      return false;
    }
    notify();
    return true;
  },
  // signIn keeps tok when it decodes to a token of a dashboard role.
  signIn(tok) {
    const c = decode(tok.trim());
    if (!c || !c.role || !c.sub) throw new Error("This is not an agentpulse token (a JWT with tenant, sub and role).");
    if (c.role === "ingest") throw new Error("An ingest token cannot open the dashboard: use an agent, supervisor or admin token.");
    if (c.exp && c.exp * 1000 < Date.now()) throw new Error("This token has expired: ask for a new one.");
    localStorage.setItem(KEY, tok.trim());
    me = null;
    listeners.forEach((f) => f());
  },
  signOut() {
    if (this.sso()) {
      cookie = null;
      location.assign("/auth/logout"); // ends the cookie and the identity provider's session
      return;
    }
    localStorage.removeItem(KEY);
    notify();
  },
  expired() {
    localStorage.removeItem(KEY);
    cookie = null;
    notify();
  },
  onChange(f) { listeners.push(f); },
};
