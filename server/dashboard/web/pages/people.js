// pages/people.js: teams and agents (#/people?q=…) for a team leader
// (their teams) or an admin (every team), with one search box over both:
// a team opens the team view; an agent their performance, their coaching
// plans or a new plan for them. The lists come from the wallboard answer
// of each channel (GET /v1/models, GET /v1/wallboards/{model}): every
// team and agent with interactions in the last 3 months.
import { api } from "../api.js";
import { el, mount, fmtNumber, errorBox, channel, teamName } from "../ui.js";
import { nameOf, hasName } from "../names.js";

const enc = encodeURIComponent;

export async function render(ctx) {
  let models;
  try {
    ({ models } = await api.get("/v1/models"));
  } catch (err) {
    mount(ctx.main, el("h1", {}, "Teams and agents"), errorBox(err));
    return;
  }
  const boards = await Promise.all(models.map((m) => api.get(`/v1/wallboards/${enc(m.model)}`).catch(() => ({ teams: [] }))));
  const teams = new Map(); // team → {agents: Set, volume, channels: Set}
  const agents = new Map(); // agent → {team, volume, channels: Set}
  boards.forEach((b, i) => {
    for (const t of b.teams || []) {
      const te = teams.get(t.team) || { agents: new Set(), volume: 0, channels: new Set() };
      te.volume += t.volume;
      te.channels.add(models[i].model);
      for (const a of t.agents) {
        te.agents.add(a.agent_id);
        const ag = agents.get(a.agent_id) || { team: t.team, volume: 0, channels: new Set() };
        ag.volume += a.volume;
        ag.channels.add(models[i].model);
        agents.set(a.agent_id, ag);
      }
      teams.set(t.team, te);
    }
  });
  const search = el("input", { type: "search", id: "people-search", value: ctx.query.get("q") || "", placeholder: "Team, agent or name", "aria-describedby": "people-count", autocomplete: "off" });
  const count = el("p", { id: "people-count", class: "muted", "aria-live": "polite" });
  const teamBox = el("div", { class: "table-wrap" });
  const agentBox = el("div", { class: "table-wrap" });
  mount(ctx.main, el("h1", {}, "Teams and agents"),
    ctx.claims.role === "admin" ? el("p", { class: "muted" }, "Show teams, inquiries and channels under your own names: ", el("a", { href: "#/names", id: "names-link" }, "names of teams, inquiries and channels"), ".") : null,
    el("div", { class: "card controls" }, el("div", {}, el("label", { for: "people-search" }, "Search"), search), count),
    el("section", { "aria-labelledby": "teams-h" }, el("h2", { id: "teams-h" }, "Teams"), teamBox),
    el("section", { "aria-labelledby": "agents-h" }, el("h2", { id: "agents-h" }, "Agents"), agentBox));
  if (!agents.size) {
    mount(agentBox, el("p", { class: "muted" }, "No agents with interactions in the last 3 months yet: they appear here once the feed sends their contacts."));
    return;
  }

  const draw = () => {
    const q = search.value.trim().toLowerCase();
    const hit = (...s) => !q || s.some((x) => String(x).toLowerCase().includes(q));
    const ts = [...teams.keys()].sort().filter((t) => hit(t, teamName(t)) || [...teams.get(t).agents].some((a) => hit(a)));
    const as = [...agents.keys()].sort().filter((a) => hit(a, nameOf(a, ""), agents.get(a).team, teamName(agents.get(a).team)));
    count.textContent = `${ts.length} of ${teams.size} teams, ${as.length} of ${agents.size} agents`;
    mount(teamBox, ts.length ? el("table", { class: "data", id: "teams-table" },
      el("caption", { class: "sr-only" }, "Teams"),
      el("thead", {}, el("tr", {}, ["Team", "Agents", "Interactions (3 months)", "Channels"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ts.map((t) => el("tr", { "data-team": t },
        el("th", { scope: "row" }, el("a", { href: `#/team/${enc(t)}`, title: t }, teamName(t))),
        el("td", {}, fmtNumber(teams.get(t).agents.size)),
        el("td", {}, fmtNumber(teams.get(t).volume)),
        el("td", {}, [...teams.get(t).channels].map(channel).join(", ")))))) : el("p", { class: "muted" }, "No team matches."));
    mount(agentBox, as.length ? el("table", { class: "data", id: "agents-table" },
      el("caption", { class: "sr-only" }, "Agents"),
      el("thead", {}, el("tr", {}, ["Agent", "Team", "Interactions (3 months)", "Coaching"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, as.map((a) => el("tr", { "data-agent": a },
        el("th", { scope: "row" }, el("a", { href: `#/agent/${enc(a)}` }, nameOf(a)), hasName(a) ? el("span", { class: "muted small id" }, ` ${a}`) : null),
        el("td", {}, el("a", { href: `#/team/${enc(agents.get(a).team)}`, title: agents.get(a).team }, teamName(agents.get(a).team))),
        el("td", {}, fmtNumber(agents.get(a).volume)),
        el("td", {}, el("a", { href: `#/agent/${enc(a)}/plans` }, "Plans"), " · ",
          el("a", { href: `#/plans/new?agent=${enc(a)}` }, "New plan")))))) : el("p", { class: "muted" }, "No agent matches."));
  };
  search.addEventListener("input", () => {
    history.replaceState(null, "", `#/people${search.value ? "?q=" + enc(search.value) : ""}`);
    draw();
  });
  draw();
}
