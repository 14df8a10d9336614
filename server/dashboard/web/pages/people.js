// pages/people.js: teams and agents (#/people?q=…&team=…) for a team
// leader (their teams) or an admin (every team), from the directory
// (GET /v1/teams, GET /v1/agents): every team that has agents now and
// every agent with their current team, searched by id or name on the
// server (q) and read a page at a time (limit, after, next), so that the
// page stays as fast at 50,000 agents as at 50. A team opens the team
// view, or narrows the agents to it; an agent opens their performance,
// their coaching plans or a new plan for them. per=N (hash query) sets
// the page size (default 25 teams, 50 agents).
import { api } from "../api.js";
import { el, mount, fmtNumber, errorBox, channel, teamName } from "../ui.js";
import { nameOf, hasName } from "../names.js";

const enc = encodeURIComponent;

// lister reads pages of one directory route: a stack of the cursors that
// opened the pages seen, so Previous goes back without the server
// keeping anything.
function lister(path, key) {
  let cursors = [""];
  let last = null;
  return {
    reset() { cursors = [""]; },
    page() { return cursors.length; },
    async load(params) {
      const q = new URLSearchParams(params);
      const after = cursors[cursors.length - 1];
      if (after) q.set("after", after);
      last = await api.get(`${path}?${q}`);
      return last;
    },
    hasNext() { return !!(last && last.next); },
    next() { if (last && last.next) cursors.push(last.next); },
    prev() { if (cursors.length > 1) cursors.pop(); },
    rows() { return (last && last[key]) || []; },
  };
}

// pager is the Previous / Next buttons and "Page N" of a list.
function pager(id, what, l, redraw) {
  const prev = el("button", { type: "button", class: "secondary", id: `${id}-prev`, disabled: l.page() === 1, onclick: () => { l.prev(); redraw(); } }, `Previous ${what}`);
  const next = el("button", { type: "button", class: "secondary", id: `${id}-next`, disabled: !l.hasNext(), onclick: () => { l.next(); redraw(); } }, `Next ${what}`);
  if (l.page() === 1 && !l.hasNext()) return null;
  return el("nav", { class: "pager", "aria-label": `Pages of ${what}` }, prev, el("span", { class: "muted" }, `Page ${l.page()}`), next);
}

export async function render(ctx) {
  const per = Math.min(Math.max(parseInt(ctx.query.get("per") || "", 10) || 0, 0), 1000);
  const teamsPer = per || 25;
  const agentsPer = per || 50;
  let team = ctx.query.get("team") || "";
  const search = el("input", { type: "search", id: "people-search", value: ctx.query.get("q") || "", placeholder: "Team, agent or name", "aria-describedby": "people-count", autocomplete: "off", maxlength: 128 });
  const count = el("p", { id: "people-count", class: "muted", "aria-live": "polite" });
  const teamBox = el("div", {});
  const agentBox = el("div", {});
  const agentsH = el("h2", { id: "agents-h" }, "Agents");
  mount(ctx.main, el("h1", {}, "Teams and agents"),
    ctx.claims.role === "admin" ? el("p", { class: "muted" }, "Show teams, inquiries and channels under your own names: ", el("a", { href: "#/names", id: "names-link" }, "names of teams, inquiries and channels"), ".") : null,
    el("div", { class: "card controls" }, el("div", {}, el("label", { for: "people-search" }, "Search"), search), count),
    el("section", { "aria-labelledby": "teams-h" }, el("h2", { id: "teams-h" }, "Teams"), teamBox),
    el("section", { "aria-labelledby": "agents-h" }, agentsH, agentBox));

  const teams = lister("/v1/teams", "teams");
  const agents = lister("/v1/agents", "agents");
  let seq = 0;
  const setHash = () => {
    const q = new URLSearchParams();
    if (search.value.trim()) q.set("q", search.value.trim());
    if (team) q.set("team", team);
    if (per) q.set("per", String(per));
    history.replaceState(null, "", `#/people${q.size ? "?" + q : ""}`);
  };
  const params = (limit, withTeam) => {
    const p = { limit: String(limit) };
    if (search.value.trim()) p.q = search.value.trim();
    if (withTeam && team) p.team = team;
    return p;
  };
  // summary says what the lists show: "3 teams · agents 51–100 (more
  // follow)".
  const part = (l, size, one, many) => {
    const n = l.rows().length;
    if (!n) return `no ${many}`;
    if (l.page() === 1 && !l.hasNext()) return `${n} ${n === 1 ? one : many}`;
    const from = (l.page() - 1) * size + 1;
    return `${many} ${from}–${from + n - 1}${l.hasNext() ? " (more follow)" : ""}`;
  };
  const summary = () => {
    const text = `${part(teams, teamsPer, "team", "teams")} · ${part(agents, agentsPer, "agent", "agents")}${team ? " of " + teamName(team) : ""}`;
    count.textContent = text.charAt(0).toUpperCase() + text.slice(1);
  };

  const drawTeams = () => {
    const ts = teams.rows();
    mount(teamBox, ts.length ? el("div", { class: "table-wrap" }, el("table", { class: "data", id: "teams-table" },
      el("caption", { class: "sr-only" }, "Teams"),
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Team"), el("th", { scope: "col" }, "Agents"), el("th", { scope: "col" }, el("span", { class: "sr-only" }, "List")))),
      el("tbody", {}, ts.map((t) => el("tr", { "data-team": t.team },
        el("th", { scope: "row" }, el("a", { href: `#/team/${enc(t.team)}`, title: t.team }, t.name || teamName(t.team))),
        el("td", {}, fmtNumber(t.agent_count)),
        el("td", {}, el("button", { type: "button", class: "link", "data-list-team": t.team, "aria-pressed": team === t.team ? "true" : "false",
          onclick: () => { team = team === t.team ? "" : t.team; agents.reset(); setHash(); loadAgents(); drawTeams(); } },
        team === t.team ? "Show every agent" : `List its ${t.agent_count === 1 ? "agent" : "agents"}`))))))) :
      el("p", { class: "muted" }, search.value.trim() ? "No team matches." : "No teams yet: they appear here once the feed sends their agents' contacts."),
    pager("teams", "teams", teams, loadTeams));
    summary();
  };

  const drawAgents = () => {
    const as = agents.rows();
    mount(agentsH, team ? `Agents of ${teamName(team)}` : "Agents");
    mount(agentBox, team ? el("p", {}, el("button", { type: "button", class: "secondary", id: "all-agents", onclick: () => { team = ""; agents.reset(); setHash(); loadAgents(); drawTeams(); } }, "Show every agent")) : null,
      as.length ? el("div", { class: "table-wrap" }, el("table", { class: "data", id: "agents-table" },
        el("caption", { class: "sr-only" }, "Agents"),
        el("thead", {}, el("tr", {}, ["Agent", "Team", "Channels", "Coaching"].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, as.map((a) => el("tr", { "data-agent": a.agent_id },
          el("th", { scope: "row" }, el("a", { href: `#/agent/${enc(a.agent_id)}` }, a.name || nameOf(a.agent_id)), a.name || hasName(a.agent_id) ? el("span", { class: "muted small id" }, ` ${a.agent_id}`) : null),
          el("td", {}, el("a", { href: `#/team/${enc(a.team)}`, title: a.team }, teamName(a.team))),
          el("td", {}, a.models.map(channel).join(", ")),
          el("td", {}, el("a", { href: `#/agent/${enc(a.agent_id)}/plans` }, "Plans"), " · ",
            el("a", { href: `#/plans/new?agent=${enc(a.agent_id)}` }, "New plan"))))))) :
        el("p", { class: "muted" }, search.value.trim() || team ? "No agent matches." : "No agents yet: they appear here once the feed sends their contacts."),
      pager("agents", "agents", agents, loadAgents));
    summary();
  };

  // Each load draws only if no newer search started meanwhile.
  async function loadTeams() {
    const s = seq;
    try {
      await teams.load(params(teamsPer, false));
      if (s === seq) drawTeams();
    } catch (err) {
      mount(teamBox, errorBox(err));
    }
  }
  async function loadAgents() {
    const s = seq;
    try {
      await agents.load(params(agentsPer, true));
      if (s === seq) drawAgents();
    } catch (err) {
      mount(agentBox, errorBox(err));
    }
  }
  const loadBoth = async () => {
    teams.reset();
    agents.reset();
    const s = ++seq;
    try {
      await Promise.all([teams.load(params(teamsPer, false)), agents.load(params(agentsPer, true))]);
    } catch (err) {
      if (s === seq) mount(agentBox, errorBox(err));
      return;
    }
    if (s !== seq) return;
    drawTeams();
    drawAgents();
  };

  let timer = 0;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => { setHash(); loadBoth(); }, 200);
  });
  ctx.onCleanup(() => clearTimeout(timer));
  await loadBoth();
}
