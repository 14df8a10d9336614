// pages/team.js: the team leader view (#/team/:team?model=…&range=…).
// The team's agents with their overall figures and label, a trend per
// agent, who is in Needs work at the top, and a summary of the team's
// coaching plans. Live: a score message on team:{team} refreshes the
// figures in place (debounced), without touching the controls.
//
// Trend: the agent's AES over the last week against their AES over 3
// months, from two calls of GET /v1/teams/{team}/agents (range=1w and
// range=3m). AES is a time (lower is better): a week more than 2 %
// below the 3-month figure reads "better", more than 2 % above "worse",
// otherwise "steady"; an arrow, the words and the percentage, never
// colour alone. Beside it, a sparkline of the agent's weekly AES over 3
// months (GET /v1/teams/{team}/trend).
import { api, q } from "../api.js";
import { live } from "../live.js";
import { el, mount, fmtMetric, fmtNumber, labelBadge, errorBox, fmtClock, channel, teamName } from "../ui.js";
import { sparkline, fitSpan, MIN_SPAN } from "./trend-chart.js";
import { nameOf } from "../names.js";

export const RANGES = [["3m", "3 months"], ["1m", "Month"], ["1w", "Week"], ["24h", "24 h"]];
const STEADY = 0.02; // within ±2 %: steady

// trend compares AES over the week (w) with AES over 3 months (base).
export function trend(w, base) {
  if (w === null || w === undefined) return { kind: "none", arrow: "", text: "No calls this week" };
  if (base === null || base === undefined || base <= 0) return { kind: "none", arrow: "", text: "—" };
  const d = (w - base) / base;
  const pct = Math.abs(d * 100).toFixed(1) + " %";
  if (d < -STEADY) return { kind: "better", arrow: "↓", text: `Better ${pct}` };
  if (d > STEADY) return { kind: "worse", arrow: "↑", text: `Worse ${pct}` };
  return { kind: "steady", arrow: "→", text: "Steady" };
}

function trendCell(t, w, base) {
  const title = t.kind === "none" ? null : `AES last week ${fmtMetric("aes", w)} vs 3 months ${fmtMetric("aes", base)}`;
  return el("span", { class: `trend trend-${t.kind}`, title },
    t.arrow ? el("span", { "aria-hidden": "true" }, t.arrow + " ") : null, t.text);
}

const enc = encodeURIComponent;

export async function render(ctx) {
  const team = ctx.params.team;
  const range = RANGES.some(([r]) => r === ctx.query.get("range")) ? ctx.query.get("range") : "3m";
  // The tenant's models (supervisors and admins; an agent is refused here
  // with the API's message).
  const { models } = await api.get("/v1/models");
  if (!models.length) {
    mount(ctx.main, el("h1", {}, teamName(team)), el("p", {}, "No interactions yet: once the contact-center feed sends them, the team's agents appear here within a second."));
    return;
  }
  // Teams often work one channel: without ?model, open the model where
  // the team has the most interactions over 3 months.
  let model = ctx.query.get("model");
  let volumes = null;
  if (!models.some((m) => m.model === model)) {
    const per = await Promise.all(models.map((m) =>
      api.get(`/v1/teams/${enc(team)}/agents${q({ model: m.model })}`).then((r) => r.agents.reduce((n, a) => n + a.volume, 0))));
    volumes = new Map(models.map((m, i) => [m.model, per[i]]));
    model = models[per.indexOf(Math.max(...per))].model;
  }
  const go = (m, r) => ctx.navigate(`#/team/${enc(team)}${q({ model: m, range: r })}`);

  // Fetch the figures before drawing anything: a refusal shows no data.
  let data = await load(team, model, range);

  const picker = el("div", { class: "controls" },
    el("div", { class: "control" },
      el("label", { for: "team-model" }, "Channel"),
      el("select", { id: "team-model", onchange: (e) => go(e.target.value, range) },
        models.map((m) => el("option", { value: m.model, selected: m.model === model },
          volumes && volumes.get(m.model) === 0 ? `${channel(m.model)} (no interactions)` : channel(m.model))))),
    el("div", { class: "control", role: "group", "aria-labelledby": "team-range-label" },
      el("span", { id: "team-range-label", class: "control-label" }, "Range"),
      el("div", { class: "presets" }, RANGES.map(([r, text]) =>
        el("button", { type: "button", class: "preset", "aria-pressed": r === range ? "true" : "false", onclick: () => go(model, r) }, text)))));
  const updated = el("p", { class: "muted updated", "aria-live": "polite" });
  const needs = el("section", { class: "needs", "aria-labelledby": "needs-h" });
  const table = el("div", { class: "table-wrap" });
  const plans = el("section", { class: "card plans-summary", "aria-labelledby": "plans-h" },
    el("h2", { id: "plans-h" }, "Coaching plans"), el("p", { class: "muted" }, "Loading…"));
  mount(ctx.main,
    el("h1", {}, teamName(team)),
    picker,
    el("div", { class: "team-top" }, needs, plans),
    table, updated);

  let plansByAgent = new Map();
  const draw = () => {
    drawNeeds(needs, data, model);
    drawTable(table, data, model, range, plansByAgent);
    updated.textContent = `Updated ${fmtClock(new Date())}`;
  };
  draw();
  loadPlans(data.agents.map((a) => a.agent_id)).then((byAgent) => {
    plansByAgent = byAgent;
    drawPlans(plans, byAgent, data.agents.length);
    draw();
  });

  // Live: refetch on the first score message after a quiet spell, then
  // at most every 1.5 s while messages keep arriving.
  let timer = null;
  let last = 0;
  // Figures pushed since a refetch began are newer than its answer: kept
  // and laid over it.
  const pushed = new Map(); // agent → { figures, at }
  const lay = (agent, figures) => {
    const a = data.agents.find((x) => x.agent_id === agent);
    if (a) Object.assign(a, figures);
  };
  const refresh = async () => {
    timer = null;
    const began = last = Date.now();
    try {
      data = await load(team, model, range);
      for (const [agent, p] of pushed) {
        if (p.at < began) pushed.delete(agent);
        else lay(agent, p.figures);
      }
      draw();
    } catch (err) {
      mount(table, errorBox(err));
    }
  };
  ctx.onCleanup(live.subscribe(`team:${team}`, (m) => {
    if (m.type === "error") {
      updated.textContent = "Live updates refused: " + (m.message || m.error);
      return;
    }
    if (m.type !== "score" || (m.data && m.data.model !== model)) return;
    // The message carries the agent's figures over the default range (3
    // months): shown at once; labels and the week's trend follow with
    // the refetch.
    if (range === "3m" && m.data && m.data.figures) {
      pushed.set(m.data.agent, { figures: m.data.figures, at: Date.now() });
      lay(m.data.agent, m.data.figures);
      draw();
    }
    if (!timer) timer = setTimeout(refresh, Math.max(0, last + 1500 - Date.now()));
  }));
  ctx.onCleanup(() => clearTimeout(timer));
}

// load reads the team's agents over range, the week and 3 months (one
// call per distinct range).
async function load(team, model, range) {
  const get = (r) => api.get(`/v1/teams/${enc(team)}/agents${q({ model, range: r })}`);
  const want = [...new Set([range, "1w", "3m"])];
  const [got, series] = await Promise.all([Promise.all(want.map(get)),
    api.get(`/v1/teams/${enc(team)}/trend${q({ model, step: "week" })}`).catch(() => ({ agents: [] }))]);
  const by = Object.fromEntries(want.map((r, i) => [r, new Map(got[i].agents.map((a) => [a.agent_id, a]))]));
  const agents = got[0].agents;
  // The sparklines share one span: the weeks any agent of the team has
  // an AES in (at least 4), so that rows compare week for week.
  const aes = series.agents.map((s) => s.points.map((p) => p.aes));
  const [lo, hi] = fitSpan((aes[0] || []).map((_, i) => aes.some((v) => v[i] !== null && v[i] !== undefined)), MIN_SPAN.week);
  return {
    agents,
    week: by["1w"],
    base: by["3m"],
    hasOutcomes: agents.some((a) => a.psat !== null || a.pres !== null),
    // agent → weekly AES over the team's weeks with data, oldest first
    // (the sparklines)
    weekly: new Map(series.agents.map((s, i) => [s.agent_id, aes[i].slice(lo, hi)])),
  };
}

function agentLinks(id) {
  return [el("a", { href: `#/agent/${enc(id)}`, title: id }, nameOf(id))];
}

function drawNeeds(node, data, model) {
  const who = data.agents.filter((a) => a.label === "needs_work").sort((a, b) => (b.aes ?? 0) - (a.aes ?? 0));
  mount(node,
    el("h2", { id: "needs-h" }, `Needs work (${who.length})`),
    who.length
      ? el("ul", { class: "needs-list" }, who.map((a) => el("li", {},
        agentLinks(a.agent_id), " ", labelBadge(a.label), " ",
        el("span", { class: "muted" }, `AES ${fmtMetric("aes", a.aes)} · ${fmtNumber(a.volume)} interactions`))))
      : el("p", { class: "muted" }, `Nobody in the team is in Needs work on ${channel(model)}.`));
}

// columns of the agents table; email has no satisfaction or resolution.
function columns(data) {
  const cols = [
    ["volume", "Volume", (a) => fmtNumber(a.volume)],
    ["aes", "AES", (a) => fmtMetric("aes", a.aes)],
    ["aht", "AHT", (a) => fmtMetric("aht", a.aht)],
  ];
  if (data.hasOutcomes) {
    cols.push(["psat", "Satisfaction", (a) => fmtMetric("psat", a.psat)], ["pres", "Resolution", (a) => fmtMetric("pres", a.pres)]);
  }
  return cols;
}

// sparkSpan is an agent's weekly AES over the team's weeks as a
// sparkline.
function sparkSpan(agent, weekly) {
  if (!weekly) return null;
  const have = weekly.filter((v) => v !== null);
  const label = have.length ? `Weekly AES of ${nameOf(agent)} over ${weekly.length} weeks: from ${fmtMetric("aes", have[0])} to ${fmtMetric("aes", have[have.length - 1])}` : `No weekly AES for ${nameOf(agent)}`;
  return sparkline(weekly, label);
}

function drawTable(node, data, model, range, plansByAgent) {
  const label = RANGES.find(([r]) => r === range)[1];
  const cols = columns(data);
  // Needs work first, then by AES (lower is better).
  const rank = { needs_work: 0, good: 1, great: 2 };
  const rows = [...data.agents].sort((a, b) =>
    (rank[a.label] ?? 3) - (rank[b.label] ?? 3) || (a.aes ?? Infinity) - (b.aes ?? Infinity));
  mount(node, el("table", { class: "data team-agents" },
    el("caption", {}, `Agents of the team, ${channel(model)}, ${label.toLowerCase()}`),
    el("thead", {}, el("tr", {},
      el("th", { scope: "col" }, "Agent"),
      el("th", { scope: "col" }, "Label"),
      el("th", { scope: "col", title: "AES over the last week against the last 3 months" }, "Trend (AES, week)"),
      cols.map(([, h]) => el("th", { scope: "col" }, h)),
      el("th", { scope: "col" }, "Coaching plans"))),
    el("tbody", {}, rows.map((a) => {
      const w = data.week.get(a.agent_id), b = data.base.get(a.agent_id);
      const wAes = w ? w.aes : null, bAes = b ? b.aes : null;
      const ps = plansByAgent.get(a.agent_id);
      return el("tr", { class: a.label === "needs_work" ? "row-needs" : null, "data-agent": a.agent_id },
        el("th", { scope: "row" }, agentLinks(a.agent_id)),
        el("td", { "data-label": a.label || "" }, labelBadge(a.label)),
        el("td", { class: "trend-cell" }, sparkSpan(a.agent_id, data.weekly.get(a.agent_id)), trendCell(trend(wAes, bAes), wAes, bAes)),
        cols.map(([k, , f]) => el("td", { "data-metric": k }, f(a))),
        el("td", {}, el("a", { href: `#/agent/${enc(a.agent_id)}/plans`, "aria-label": `Coaching plans of ${nameOf(a.agent_id)}` },
          ps === undefined || ps === null ? "Plans" : ps.in_progress ? `${ps.in_progress} (${ps.on_track} on track)` : "No plan")));
    }))));
}

// loadPlans reads each agent's plans in progress: agent → {in_progress,
// on_track} (null when the call failed).
async function loadPlans(agents) {
  const out = new Map();
  await Promise.all(agents.map(async (a) => {
    try {
      const { plans } = await api.get(`/v1/agents/${enc(a)}/plans?status=in_progress`);
      out.set(a, { in_progress: plans.length, on_track: plans.filter((p) => p.on_track).length });
    } catch {
      out.set(a, null);
    }
  }));
  return out;
}

function drawPlans(node, byAgent, nAgents) {
  let inProgress = 0, onTrack = 0, withPlan = 0, failed = 0;
  for (const v of byAgent.values()) {
    if (v === null) { failed++; continue; }
    inProgress += v.in_progress;
    onTrack += v.on_track;
    if (v.in_progress) withPlan++;
  }
  mount(node,
    el("h2", { id: "plans-h" }, "Coaching plans"),
    el("dl", { class: "team-figures" },
      el("div", {}, el("dt", {}, "In progress"), el("dd", { id: "plans-in-progress" }, fmtNumber(inProgress))),
      el("div", {}, el("dt", {}, "On track"), el("dd", { id: "plans-on-track" }, fmtNumber(onTrack))),
      el("div", {}, el("dt", {}, "Agents with a plan"), el("dd", {}, `${withPlan} of ${nAgents}`))),
    failed ? el("p", { class: "muted" }, `Plans of ${failed} agent(s) could not be read.`) : null);
}
