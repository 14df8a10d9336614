// app.js: the dashboard shell. It keeps the navigation in step with who
// is signed in and routes the location hash (#/agent/a1, #/plans/p1, …)
// to one page module at a time (pages/index.js lists them). A page
// module exports render(ctx) and may register cleanups (websocket
// subscriptions) with ctx.onCleanup; they run when the page is left.
import { session } from "./session.js";
import { live } from "./live.js";
import { routes } from "./pages/index.js";
import { el, mount, status, errorBox } from "./ui.js";

let cleanups = [];

// match returns the route and its parameters for a hash path.
function match(path) {
  const parts = path.split("/").filter(Boolean);
  for (const r of routes) {
    const want = r.path.split("/").filter(Boolean);
    if (want.length !== parts.length) continue;
    const params = {};
    let ok = true;
    want.forEach((w, i) => {
      if (w.startsWith(":")) params[w.slice(1)] = decodeURIComponent(parts[i]);
      else if (w !== parts[i]) ok = false;
    });
    if (ok) return { route: r, params };
  }
  return null;
}

// home is where a role lands.
export function home(c) {
  if (!c) return "#/signin";
  if (c.role === "agent") return `#/agent/${encodeURIComponent(c.sub)}`;
  if (c.role === "supervisor" && c.teams.length) return `#/team/${encodeURIComponent(c.teams[0])}`;
  return "#/wallboards";
}

function renderNav() {
  const c = session.claims();
  const nav = document.getElementById("nav");
  const who = document.getElementById("who");
  const links = [];
  if (c && c.role === "agent") {
    links.push(["My performance", `#/agent/${encodeURIComponent(c.sub)}`], ["My coaching plans", "#/plans"]);
  } else if (c && c.role === "supervisor") {
    for (const t of c.teams) links.push([`Team ${t}`, `#/team/${encodeURIComponent(t)}`]);
    links.push(["Wallboards", "#/wallboards"]);
  } else if (c && c.role === "admin") {
    links.push(["Wallboards", "#/wallboards"]);
  }
  const here = location.hash || "#/";
  mount(nav, el("ul", {}, links.map(([text, href]) =>
    el("li", {}, el("a", { href, "aria-current": here === href || here.startsWith(href + "/") ? "page" : null }, text)))));
  if (!c) {
    mount(who);
    return;
  }
  const dot = el("span", { class: "live-dot", title: "Live updates" });
  live.onState((s) => {
    dot.className = `live-dot live-${s}`;
    dot.textContent = s === "live" ? "Live" : s === "reconnecting" ? "Reconnecting…" : "";
  });
  mount(who, dot, el("span", {}, `${c.sub} · ${c.role} · ${c.tenant}`),
    el("button", { type: "button", class: "link", onclick: () => { live.close(); session.signOut(); location.hash = "#/signin"; } }, "Sign out"));
}

async function route() {
  cleanups.forEach((f) => { try { f(); } catch { /* a page's cleanup must not stop the next page */ } });
  cleanups = [];
  status("");
  const raw = (location.hash || "#/").slice(1);
  const [path, query] = raw.split("?");
  const c = session.claims();
  if (path === "/" || path === "") {
    location.replace(home(c));
    return;
  }
  const m = match(path);
  const main = document.getElementById("main");
  if (!m) {
    mount(main, el("h1", {}, "Page not found"), el("p", {}, el("a", { href: home(c) }, "Go to your home page")));
    return;
  }
  if (!m.route.public && !c) {
    location.replace("#/signin?next=" + encodeURIComponent(raw));
    return;
  }
  renderNav();
  const ctx = {
    params: m.params,
    query: new URLSearchParams(query || ""),
    claims: c,
    main,
    onCleanup: (f) => cleanups.push(f),
    // navigate changes the hash (a new history entry).
    navigate: (hash) => { location.hash = hash; },
  };
  try {
    const mod = await m.route.page();
    mount(main, el("p", { class: "muted" }, "Loading…"));
    document.title = (m.route.title || "agentpulse") + " · agentpulse";
    await mod.render(ctx);
    main.focus({ preventScroll: true });
  } catch (err) {
    mount(main, errorBox(err));
  }
}

// A new identity (sign-in as someone else, sign-out, an expired token)
// must not keep the old one's websocket: close it; pages subscribe again.
const who = () => { const c = session.claims(); return c ? `${c.tenant}/${c.sub}/${c.role}` : ""; };
let signedAs = who();
session.onChange(() => {
  if (who() !== signedAs) {
    signedAs = who();
    live.close();
  }
  renderNav();
});
window.addEventListener("hashchange", route);
await session.load();
signedAs = who();
renderNav();
route();
