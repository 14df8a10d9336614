// app.js: the dashboard shell. It keeps the navigation in step with who
// is signed in and routes the location hash (#/agent/a1, #/plans/p1, …)
// to one page module at a time (pages/index.js lists them). A page
// module exports render(ctx) and may register cleanups (websocket
// subscriptions) with ctx.onCleanup; they run when the page is left.
import { session } from "./session.js";
import { live } from "./live.js";
import { api } from "./api.js";
import { routes } from "./pages/index.js";
import { el, mount, status, errorBox, teamName } from "./ui.js";
import { loadNames } from "./names.js";

const RELOADED = "agentpulse.reloaded"; // one automatic reload after a failed page import

let cleanups = [];
let whoamiAt = 0; // when GET /v1/me was last asked
let whoamiFor = null; // and for which pasted token
let routeSeq = 0; // the newest route() call

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
  if (c.role === "wallboard") return `#/wallboard/${encodeURIComponent(c.wallboard)}?kiosk=1`;
  return "#/people";
}

function renderNav() {
  const c = session.claims();
  const nav = document.getElementById("nav");
  const who = document.getElementById("who");
  const links = [];
  if (c && c.role === "agent") {
    links.push(["My performance", `#/agent/${encodeURIComponent(c.sub)}`], ["My coaching plans", "#/plans"], ["Notifications", "#/notifications"]);
  } else if (c && c.role === "supervisor") {
    for (const t of c.teams) links.push([teamName(t), `#/team/${encodeURIComponent(t)}`]);
    links.push(["Teams and agents", "#/people"], ["Coaching inbox", "#/inbox"], ["Notifications", "#/notifications"], ["Wallboards", "#/wallboards"]);
  } else if (c && c.role === "admin") {
    links.push(["Teams and agents", "#/people"], ["People and roles", "#/roster"], ["Coaching inbox", "#/inbox"], ["Notifications", "#/notifications"], ["Wallboards", "#/wallboards"], ["Outcome models", "#/outcome-models"]);
  }
  const here = location.hash || "#/";
  mount(nav, el("ul", {}, links.map(([text, href]) =>
    el("li", {}, el("a", { href, title: text, "aria-current": here === href || here.startsWith(href + "/") ? "page" : null }, text,
      href === "#/inbox" ? inboxBadge : href === "#/notifications" ? unreadBadge : null)))));
  refreshBadge();
  refreshUnread();
  followNotifications(c);
  live.keepOpen(!!c);
  if (!c) {
    mount(who);
    return;
  }
  const dot = el("span", { class: "live-dot", title: "Live updates" });
  live.onState((s) => {
    // Shown while the page follows live channels (the connection kept
    // open for display names alone is not news).
    dot.className = `live-dot live-${s}${live.subs.size ? "" : " live-quiet"}`;
    dot.textContent = s === "live" ? "Live" : s === "reconnecting" ? "Reconnecting…" : "";
  });
  mount(who, dot, el("span", {}, `${c.name || c.sub} · ${c.role} · ${c.tenant}`),
    el("button", { type: "button", class: "link", onclick: () => { live.close(); session.signOut(); location.hash = "#/signin"; } }, "Sign out"));
}

// inboxBadge counts the asks for help nobody took up yet (GET /v1/inbox)
// for a team leader or an admin; refreshed on every page, every 20 s and
// when a page changes the inbox (the "inbox-changed" event).
const inboxBadge = el("span", { class: "count-badge", id: "inbox-badge", hidden: true });
let badgeSeq = 0;
export async function refreshBadge() {
  const c = session.claims();
  if (!c || (c.role !== "supervisor" && c.role !== "admin")) return;
  const mine = ++badgeSeq;
  try {
    const { unacknowledged } = await api.get("/v1/inbox");
    if (mine !== badgeSeq) return;
    inboxBadge.hidden = !unacknowledged;
    inboxBadge.textContent = unacknowledged ? String(unacknowledged) : "";
    inboxBadge.setAttribute("aria-label", `${unacknowledged} ask${unacknowledged === 1 ? "" : "s"} for help waiting`);
  } catch { /* the badge is a hint; the inbox page shows errors */ }
}
// unreadBadge counts the user's unread notifications (GET
// /v1/notifications); a notification arriving live (type "notification"
// on the user's team or agent channels) refreshes it and shows a toast.
const unreadBadge = el("span", { class: "count-badge", id: "unread-badge", hidden: true });
async function refreshUnread() {
  const c = session.claims();
  if (!c || c.role === "wallboard") return;
  try {
    const { unread } = await api.get("/v1/notifications");
    unreadBadge.hidden = !unread;
    unreadBadge.textContent = unread ? String(unread) : "";
    unreadBadge.setAttribute("aria-label", `${unread} unread notification${unread === 1 ? "" : "s"}`);
  } catch { /* a hint only */ }
}
let following = { token: null, stop: [] };
function followNotifications(c) {
  const tok = session.token();
  if (following.token === tok) return;
  following.stop.forEach((f) => f());
  following = { token: tok, stop: [] };
  if (!c) return;
  const chans = c.role === "agent" ? [`agent:${c.sub}`] : c.role === "supervisor" ? c.teams.map((t) => `team:${t}`) : [];
  for (const ch of chans) {
    following.stop.push(live.subscribe(ch, (m) => {
      if (m.type !== "notification" || !m.data) return;
      status(`${m.data.title}.`);
      refreshUnread();
      window.dispatchEvent(new Event("notification"));
      window.dispatchEvent(new Event("inbox-changed"));
    }));
  }
}
setInterval(() => { refreshBadge(); refreshUnread(); }, 20000);
window.addEventListener("inbox-changed", refreshUnread);
window.addEventListener("inbox-changed", refreshBadge);

// markScrolling adds a "scroll sideways" hint under tables wider than the
// screen (phones), so columns off to the side are not missed.
function markScrolling() {
  for (const w of document.querySelectorAll("#main .table-wrap")) w.classList.toggle("scrolls", w.scrollWidth > w.clientWidth + 1);
}
window.addEventListener("resize", markScrolling);
new MutationObserver(() => requestAnimationFrame(markScrolling)).observe(document.getElementById("main"), { childList: true, subtree: true });

// swapIn shows the page a soft redraw built in place of the one shown.
function swapIn(page) {
  for (const old of [...document.getElementById("main").children]) if (old !== page) old.remove();
  page.classList.remove("redrawing");
  markScrolling();
}

// main0 is the page shown now, if any.
const main0 = () => document.querySelector("#main > .page");

// route renders the page of the location hash. soft (a redraw of the
// same page for new display names) keeps the page shown until the new
// one is rendered beside it, hidden, then swaps them; the old page's
// cleanups run then, and a failure keeps the old page.
async function route(opts) {
  const soft = !!(opts && opts.soft === true);
  // A soft redraw keeps the shown page's cleanups in the list (a
  // navigation meanwhile runs them all) until the new page starts.
  const before = cleanups.slice();
  const runBefore = () => {
    cleanups = cleanups.filter((f) => !before.includes(f));
    before.forEach((f) => { try { f(); } catch { /* a page's cleanup must not stop the next page */ } });
  };
  if (!soft) {
    runBefore();
    status("");
  }
  const seq = ++routeSeq;
  // Who the server says this is now (the roster may have changed the
  // role or teams) and the people's display names, both cached briefly.
  if (Date.now() - whoamiAt > 30000 || whoamiFor !== session.token()) {
    whoamiAt = Date.now();
    whoamiFor = session.token();
    await session.whoami();
  }
  if (session.claims()) await loadNames();
  if (seq !== routeSeq) return; // a newer navigation took over meanwhile
  const raw = (location.hash || "#/").slice(1);
  const [path, query] = raw.split("?");
  const c = session.claims();
  if (path === "/" || path === "") {
    location.replace(home(c));
    return;
  }
  const m = match(path);
  if (soft && (!m || !c || !main0())) return; // not a page to redraw
  // Each route renders into a fresh container: a slow page that finishes
  // after the user (or a TV's rotation) moved on mounts into a detached
  // node, never over the page now shown.
  const main = el("div", { class: soft ? "page redrawing" : "page" });
  if (soft) document.getElementById("main").append(main);
  else mount(document.getElementById("main"), main);
  if (!m) {
    mount(main, el("h1", {}, "Page not found"), el("p", {}, el("a", { href: home(c) }, "Go to your home page")));
    return;
  }
  if (!m.route.public && !c) {
    location.replace("#/signin?next=" + encodeURIComponent(raw));
    return;
  }
  if (!soft) renderNav();
  pageNames = null;
  const ctx = {
    params: m.params,
    query: new URLSearchParams(query || ""),
    claims: c,
    main,
    // A cleanup registered by a page the router already left runs at once.
    onCleanup: (f) => { if (main.isConnected) cleanups.push(f); else { try { f(); } catch { /* ignore */ } } },
    // navigate changes the hash (a new history entry).
    navigate: (hash) => { location.hash = hash; },
    // onNames(f): the page shows new display names itself (f is called
    // on "names-changed"), instead of being redrawn: pages holding edits.
    onNames: (f) => { if (main.isConnected) pageNames = f; },
  };
  try {
    const mod = await m.route.page();
    mount(main, el("p", { class: "muted" }, "Loading…"));
    document.title = (m.route.title || "agentpulse") + " · agentpulse";
    // The shown page's cleanups run in the same task as the new page's
    // first steps (a page's global state, such as the wallboard's body
    // classes, is set again before anything is drawn).
    if (soft) runBefore();
    await mod.render(ctx);
    if (soft) {
      if (main.isConnected) swapIn(main);
      return;
    }
    if (main.isConnected) document.getElementById("main").focus({ preventScroll: true });
    markScrolling();
    sessionStorage.removeItem(RELOADED);
  } catch (err) {
    if (soft) swapIn(main); // and say what failed, as a navigation would
    // After a restart or an upgrade the browser may hold a page module the
    // server no longer serves ("Failed to fetch dynamically imported
    // module"): reload once, then say so in plain words.
    const msg = err && err.message ? err.message : String(err);
    if (/dynamically imported module|Importing a module script failed|error loading dynamically imported/i.test(msg)) {
      if (!sessionStorage.getItem(RELOADED)) {
        sessionStorage.setItem(RELOADED, "1");
        location.reload();
        return;
      }
      mount(main, el("div", { class: "error", role: "alert" }, el("p", {}, "This page could not be loaded: agentpulse may have been restarted or upgraded."),
        el("p", {}, el("button", { type: "button", class: "primary", onclick: () => location.reload() }, "Reload the page"))));
      return;
    }
    mount(main, errorBox(err));
  }
}

// 4502: an administrator took this person's access away (the roster) or
// revoked this screen's TV link: say so; the session is over.
live.onState((s) => {
  if (s === "revoked") status("An administrator changed your access: this session has ended. Sign in again, or ask them to restore it.", "error");
});

// A new identity (sign-in as someone else, sign-out, an expired token)
// must not keep the old one's websocket: close it; pages subscribe again.
const who = () => { const c = session.claims(); return c ? `${c.tenant}/${c.sub}/${c.role}` : ""; };
let signedAs = who();
session.onChange(() => {
  if (who() !== signedAs) {
    signedAs = who();
    whoamiAt = 0;
    live.close();
  }
  renderNav();
});
window.addEventListener("hashchange", route);

// New display names (names.js): the navigation and the page show them at
// once. A page that holds edits handles them itself (ctx.onNames); any
// other is redrawn (route soft), but not under the user's typing: while
// a field of the page has focus the redraw waits for it to lose focus.
let pageNames = null;
let namesPending = false;
function showNames() {
  renderNav();
  if (pageNames) {
    pageNames();
    return;
  }
  const mainEl = document.getElementById("main");
  const f = document.activeElement;
  if (f && mainEl.contains(f) && f.matches("input, textarea, select")) {
    if (!namesPending) {
      namesPending = true;
      mainEl.addEventListener("focusout", () => { namesPending = false; setTimeout(showNames, 0); }, { once: true });
    }
    return;
  }
  route({ soft: true });
}
window.addEventListener("names-changed", showNames);
await session.load();
await session.whoami();
whoamiAt = Date.now();
whoamiFor = session.token();
signedAs = who();
renderNav();
route();
