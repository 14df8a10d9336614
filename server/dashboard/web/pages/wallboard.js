// pages/wallboard.js: the full-screen wallboard of a model for a TV
// (#/wallboard/:model?team=…). No navigation chrome (body.wallboard),
// large type on a dark high-contrast theme, a clock and "updated N s
// ago", live from the websocket channel wallboard:{model}.
//
// Data: GET /v1/wallboards/{model}?agents=false first (so a refusal
// shows the API's message and nothing else): every team's figures and
// agent count, O(teams) however many agents the floor has. A board of at
// most WHOLE_AGENTS agents then reads every team's agents at once; a
// larger one reads only the agents of the teams on the page shown
// (teams=…, at most 100 at a time), drawing rows without data meanwhile
// (the same height, so the pages do not move; page=1 in the address
// forces this even for a small board). The channel's snapshot replaces
// the teams' figures (a supervisor's carries their teams' agents, an
// admin's the teams alone) and each score message updates that agent's
// figures at once (when the message carries them) and triggers a
// debounced re-read of the teams and of the shown teams' agents. A
// supervisor sees only their teams (the server filters both the snapshot
// and the score messages).
//
// TVs (1920×1080, 3840×2160): the teams are ranked by AES (best first,
// "#1") and packed into pages that fit the screen without scrolling:
// teams are added to a page while it still fits (measured), a team too
// tall alone is drawn denser (smaller type) until it fits. Pages rotate
// every rotate= seconds (default 15; rotate=0 keeps the first page);
// kiosk=1 hides the Exit button and the mouse pointer. Ids and figures
// never wrap (white-space: nowrap). Live updates redraw the current page
// in place; the websocket reconnects by itself (live.js), and a token
// that expires says so on the board with a way to sign in again.
//
// Keeping the screen awake: navigator.wakeLock ("screen") when the
// browser has it (a secure context: https or localhost), re-requested
// when the tab becomes visible again. Without it the footer says so:
// the TV's own sleep timer must then be turned off.
import { api, q } from "../api.js";
import { live } from "../live.js";
import { el, mount, fmtMetric, fmtNumber, labelBadge, errorBox, fmtClock, channel, teamName } from "../ui.js";
import { session } from "../session.js";
import { nameOf } from "../names.js";

const enc = encodeURIComponent;

// expiredFoot is the open board's footer: when the token expires (a 4500
// close or a 401), it says so with a way to sign in again.
let expiredFoot = null;
// keyed is true while the board runs on a TV link (a wallboard key).
let keyed = false;
session.onChange(() => {
  if (!session.token() && expiredFoot && keyed) {
    expiredFoot.id = "wb-revoked";
    expiredFoot.replaceChildren("The TV link of this screen was revoked: ask an administrator for a new one (Wallboards, TV links).");
  } else if (!session.token() && expiredFoot) {
    expiredFoot.replaceChildren("The sign-in of this screen has expired: ", el("a", { href: "#/signin?next=" + encodeURIComponent(location.hash.slice(1)) }, "sign in again"), ".");
  }
});

export async function render(ctx) {
  const model = ctx.params.model;
  keyed = session.token().startsWith("apk_");
  const team = ctx.query.get("team") || "";
  const rotateRaw = ctx.query.get("rotate");
  const rotate = rotateRaw === null || rotateRaw === "" || !Number.isFinite(Number(rotateRaw)) ? 15 : Math.max(0, Number(rotateRaw));
  const kiosk = ctx.query.get("kiosk") === "1";
  document.body.classList.add("wallboard");
  document.body.classList.toggle("kiosk", kiosk);
  ctx.onCleanup(() => document.body.classList.remove("wallboard", "kiosk"));
  const exit = kiosk ? null : el("button", { type: "button", class: "wb-exit", onclick: () => ctx.navigate("#/wallboards") }, "Exit");
  const clock = el("span", { class: "wb-clock", "aria-label": "Time" });
  const ago = el("span", { class: "wb-ago" });
  const pageOf = el("span", { class: "wb-page", id: "wb-page", "aria-live": "off" });
  const head = el("header", { class: "wb-head" },
    el("h1", {}, `${channel(model)} · ${team ? teamName(team)
      : ctx.claims.role === "supervisor" ? ctx.claims.teams.map(teamName).join(", ") : "all teams"}`),
    el("div", { class: "wb-meta" }, pageOf, clock, ago, exit));
  const body = el("div", { class: "wb-body" });
  const foot = el("footer", { class: "wb-foot" });
  mount(ctx.main, head, body, foot);

  const paged = ctx.query.get("page") === "1";
  let board;
  // agentsOf: team → its agents, as last read (all teams' for a small
  // board, the shown pages' for a large one).
  const agentsOf = new Map();
  const readAt = new Map(); // team → when its agents were read (ms)
  const keep = (wb) => {
    for (const t of wb.teams) {
      if (!t.agents) continue;
      agentsOf.set(t.team, t.agents);
      readAt.set(t.team, Date.now());
    }
  };
  let whole = false;
  const readTeams = async () => {
    const wb = await api.get(`/v1/wallboards/${enc(model)}${q({ team, agents: "false" })}`);
    whole = !paged && wb.teams.reduce((n, t) => n + t.agent_count, 0) <= WHOLE_AGENTS;
    return wb;
  };
  // readAgents reads the agents of teams (all of them for a small board).
  const readAgents = async (teams) => {
    if (whole) {
      keep(await api.get(`/v1/wallboards/${enc(model)}${q({ team })}`));
      return;
    }
    for (let i = 0; i < teams.length; i += 100) {
      keep(await api.get(`/v1/wallboards/${enc(model)}${q({ teams: teams.slice(i, i + 100).join(",") })}`));
    }
  };
  try {
    board = await readTeams();
    if (whole) await readAgents([]);
  } catch (err) {
    mount(body, errorBox(err));
    return;
  }
  let last = Date.now();
  let page = 0;
  let shown = [];
  let fetching = false;
  const draw = () => {
    const n = drawBoard(body, board, agentsOf, team, page);
    page = n.page;
    shown = n.teams;
    pageOf.textContent = n.pages > 1 ? `Page ${n.page + 1} of ${n.pages}` : "";
    body.dataset.pages = String(n.pages);
    body.dataset.page = String(n.page);
    // A page's teams read more than STALE_MS ago are read again when the
    // page comes round (score messages move their agents meanwhile).
    const missing = shown.filter((t) => !agentsOf.has(t) || (!whole && Date.now() - readAt.get(t) > STALE_MS));
    if (missing.length && !fetching) {
      fetching = true;
      readAgents(missing).then(() => { fetching = false; draw(); }, () => { fetching = false; });
    }
  };
  draw();
  if (rotate > 0) {
    const rot = setInterval(() => { page++; draw(); }, rotate * 1000);
    ctx.onCleanup(() => clearInterval(rot));
  }
  const onResize = () => draw();
  window.addEventListener("resize", onResize);
  ctx.onCleanup(() => window.removeEventListener("resize", onResize));
  expiredFoot = foot;
  ctx.onCleanup(() => { expiredFoot = null; });

  const tick = () => {
    const now = new Date();
    clock.textContent = fmtClock(now).replace(/ .*$/, "");
    const s = Math.max(0, Math.round((Date.now() - last) / 1000));
    ago.textContent = `Updated ${s} s ago`;
  };
  tick();
  const clockTimer = setInterval(tick, 1000);
  ctx.onCleanup(() => clearInterval(clockTimer));

  let timer = null;
  const reread = async () => {
    timer = null;
    try {
      const wb = await readTeams();
      await readAgents(shown);
      board = wb;
      last = Date.now();
      draw();
    } catch { /* keep what is shown; the next message retries */ }
  };
  ctx.onCleanup(live.subscribe(`wallboard:${model}`, (m) => {
    if (m.type === "error") {
      foot.textContent = "Live updates refused: " + (m.message || m.error);
      return;
    }
    if (m.type === "snapshot") {
      board = filterTeam(m.data, team);
      keep(board);
    } else if (m.type === "score") {
      if (team && !(m.data.teams || []).includes(team)) return;
      applyScore(agentsOf, m.data);
      if (!timer) timer = setTimeout(reread, 2000);
    } else return;
    last = Date.now();
    draw();
    tick();
  }));
  ctx.onCleanup(() => clearTimeout(timer));
  keepAwake(ctx, foot);
}

function filterTeam(wb, team) {
  if (!team) return wb;
  return { ...wb, teams: (wb.teams || []).filter((t) => t.team === team) };
}

// WHOLE_AGENTS is the largest board (agents of every team) read whole.
const WHOLE_AGENTS = 400;
// STALE_MS is how old a large board's page of agents may be when shown.
const STALE_MS = 30000;

// applyScore puts the agent's new overall figures (when the message has
// them) into the agents read.
function applyScore(agentsOf, d) {
  if (!d.figures) return;
  for (const agents of agentsOf.values()) {
    const a = agents.find((x) => x.agent_id === d.agent);
    if (a) Object.assign(a, d.figures, { fresh: Date.now() });
  }
}

// fits reports whether the board's body shows everything without
// scrolling or cutting.
function fits(node) {
  return node.scrollHeight <= node.clientHeight + 1 && node.scrollWidth <= node.clientWidth + 1;
}

// drawBoard ranks the teams (best AES first), packs them into pages that
// fit the screen and shows page want (modulo the page count); it returns
// the page shown, the page count and the teams shown. A team whose
// agents are not read yet shows agent_count rows without data.
function drawBoard(node, board, agentsOf, team, want) {
  if (!board.teams.length) {
    mount(node, el("p", { class: "wb-empty" }, team ? `No interactions of ${teamName(team)} on ${channel(board.model)} in the last 3 months.` : `No interactions on ${channel(board.model)} in the last 3 months.`));
    return { page: 0, pages: 1, teams: [] };
  }
  const outcomes = board.teams.some((t) => t.psat !== null || t.pres !== null);
  node.classList.toggle("wb-single", board.teams.length === 1);
  const ranked = [...board.teams].sort((a, b) => (a.aes ?? Infinity) - (b.aes ?? Infinity) || (a.team < b.team ? -1 : 1));
  const sections = ranked.map((t, i) => teamSection(t, agentsOf.get(t.team), ranked.length > 1 ? i + 1 : 0, outcomes));
  // Pack: a page takes teams while it fits; a team alone that does not
  // fit is made denser.
  const pages = [];
  let cur = [];
  node.style.removeProperty("--wb-scale");
  for (const s of sections) {
    mount(node, [...cur, s]);
    if (cur.length && !fits(node)) {
      pages.push(cur);
      cur = [s];
    } else {
      cur.push(s);
    }
  }
  pages.push(cur);
  const page = ((want % pages.length) + pages.length) % pages.length;
  mount(node, pages[page]);
  for (let scale = 1; !fits(node) && scale > 0.55; ) {
    scale -= 0.05;
    node.style.setProperty("--wb-scale", scale.toFixed(2));
  }
  return { page, pages: pages.length, teams: pages[page].map((s) => s.dataset.team) };
}

function teamSection(t, read, rank, outcomes) {
    const pending = !read;
    const list = read || [];
    const needs = list.filter((a) => a.label === "needs_work").length;
    const agents = [...list].sort((a, b) => (a.aes ?? Infinity) - (b.aes ?? Infinity) || (a.agent_id < b.agent_id ? -1 : 1));
    const rows = pending
      ? Array.from({ length: t.agent_count || 0 }, () => el("tr", { class: "wb-pending", "aria-hidden": "true" },
        el("td", { class: "wb-rank" }, ""), el("th", { scope: "row" }, "…"), el("td", {}, ""), el("td", {}, ""),
        el("td", {}, el("span", { style: "visibility: hidden" }, labelBadge("needs_work")))))
      : agents.map((a, i) => el("tr", {
          "data-agent": a.agent_id,
          class: a.fresh && Date.now() - a.fresh < 3000 ? "wb-fresh" : null,
        },
        el("td", { class: "wb-rank" }, a.aes == null ? "" : String(i + 1)),
        el("th", { scope: "row", title: nameOf(a.agent_id) }, nameOf(a.agent_id)),
        el("td", { "data-metric": "volume" }, fmtNumber(a.volume)),
        el("td", { "data-metric": "aes" }, fmtMetric("aes", a.aes)),
        el("td", {}, labelBadge(a.label))));
    return el("section", { class: "wb-team", "data-team": t.team, "data-rank": rank, "aria-label": `${teamName(t.team)}, rank ${rank}` },
      el("h2", { title: teamName(t.team) }, rank ? el("span", { class: "wb-rank" }, `#${rank}`) : null, rank ? " " : "", teamName(t.team)),
      el("dl", { class: "wb-figures" },
        fig("Volume", fmtNumber(t.volume), "volume"),
        fig("AES", fmtMetric("aes", t.aes), "aes"),
        fig("AHT", fmtMetric("aht", t.aht), "aht"),
        outcomes ? fig("Satisfaction", fmtMetric("psat", t.psat), "psat") : null,
        outcomes ? fig("Resolution", fmtMetric("pres", t.pres), "pres") : null,
        fig("Needs work", pending ? "…" : String(needs), "needs")),
      el("table", { class: "wb-agents" },
        el("caption", { class: "sr-only" }, `Agents of ${teamName(t.team)}, best AES first`),
        el("thead", {}, el("tr", {},
          el("th", { scope: "col" }, "#"),
          el("th", { scope: "col" }, "Agent"), el("th", { scope: "col" }, "Volume"),
          el("th", { scope: "col" }, "AES"), el("th", { scope: "col" }, "Label"))),
        el("tbody", {}, rows)));
}

function fig(name, value, key) {
  return el("div", { class: "wb-fig", "data-fig": key, "data-count": key === "needs" ? value : null }, el("dt", {}, name), el("dd", {}, value));
}

// keepAwake holds a screen wake lock while the wallboard is open.
function keepAwake(ctx, foot) {
  if (!("wakeLock" in navigator)) {
    foot.textContent = "This browser cannot keep the screen awake (it needs https or localhost): turn the TV's sleep timer off.";
    return;
  }
  let lock = null, gone = false;
  const take = async () => {
    if (gone || document.visibilityState !== "visible") return;
    try {
      lock = await navigator.wakeLock.request("screen");
      foot.textContent = "Screen kept awake.";
    } catch (err) {
      foot.textContent = `The screen may sleep (${err.message}): turn the TV's sleep timer off.`;
    }
  };
  const onVis = () => { if (document.visibilityState === "visible") take(); };
  document.addEventListener("visibilitychange", onVis);
  take();
  ctx.onCleanup(() => {
    gone = true;
    document.removeEventListener("visibilitychange", onVis);
    if (lock) lock.release().catch(() => {});
  });
}
