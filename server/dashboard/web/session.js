// session.js: who is signed in. The bearer token is kept in the
// browser's localStorage (this device only) and its claims (tenant, sub,
// role, teams, exp) are read from the JWT payload for the navigation; the
// server checks every call anyway.
const KEY = "agentpulse.token";
let listeners = [];

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
  claims() {
    const t = this.token();
    const c = t ? decode(t) : null;
    if (!c) return null;
    if (c.exp && c.exp * 1000 < Date.now()) return null;
    return { tenant: c.tenant, sub: c.sub, role: c.role, teams: c.teams || [], exp: c.exp };
  },
  // signIn keeps tok when it decodes to a token of a dashboard role.
  signIn(tok) {
    const c = decode(tok.trim());
    if (!c || !c.role || !c.sub) throw new Error("This is not an agentpulse token (a JWT with tenant, sub and role).");
    if (c.role === "ingest") throw new Error("An ingest token cannot open the dashboard: use an agent, supervisor or admin token.");
    if (c.exp && c.exp * 1000 < Date.now()) throw new Error("This token has expired: ask for a new one.");
    localStorage.setItem(KEY, tok.trim());
    listeners.forEach((f) => f());
  },
  signOut() {
    localStorage.removeItem(KEY);
    listeners.forEach((f) => f());
  },
  expired() {
    localStorage.removeItem(KEY);
    listeners.forEach((f) => f());
  },
  onChange(f) { listeners.push(f); },
};
