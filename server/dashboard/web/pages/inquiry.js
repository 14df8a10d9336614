// pages/inquiry.js: one inquiry of an agent
// (#/agent/:agent/inquiry/:inquiry?model=&range=|from=&to=), from
// GET /v1/agents/{a}/inquiries/{i}: each metric with its value and label,
// the recommended focus metric highlighted with why, "Show more" for the
// team average and the top performer, the recent interactions (newest
// first) with every canonical field, and a link to build a coaching plan
// on the recommended metric. Live like the home: a score message of the
// agent on this model and inquiry fetches the figures again.
import { api, q } from "../api.js";
import { live } from "../live.js";
import { el, mount, METRICS, fmtMetric, fmtNumber, fmtDuration, fmtImpact, impactWords, fmtDate, labelBadge, basisNote, errorBox, EXPLAIN, channel, inquiryName, teamName } from "../ui.js";
import { readState, hashQuery, apiRange, rangeText, keepFocus, debounce, clock } from "./agentstate.js";
import { trendCard } from "./trend-chart.js";
import { nameOf } from "../names.js";

const enc = encodeURIComponent;
const ORDER = ["aes", "aht", "psat", "pres"];

export async function render(ctx) {
  const { agent, inquiry } = ctx.params;
  const state = readState(ctx.query);
  const own = ctx.claims.role === "agent" && ctx.claims.sub === agent;
  const showTop = ctx.claims.role !== "agent";
  const back = `#/agent/${enc(agent)}${hashQuery(state)}`;
  const url = () => `/v1/agents/${enc(agent)}/inquiries/${enc(inquiry)}${q({ model: state.model, ...apiRange(state) })}`;

  if (!state.model) {
    // Opened without a model: take the agent's first one.
    try {
      const { models } = await api.get(`/v1/agents/${enc(agent)}/models`);
      if (models.length) state.model = models[0].model;
    } catch (err) {
      mount(ctx.main, el("h1", {}, inquiry), errorBox(err));
      return;
    }
  }

  let d;
  try {
    d = await api.get(url());
  } catch (err) {
    mount(ctx.main, el("p", {}, el("a", { href: back }, "← Back to the inquiries")), el("h1", {}, inquiry), errorBox(err));
    return;
  }

  const more = el("section", { id: "more", class: "card more", "aria-labelledby": "more-title", hidden: true });
  const moreBtn = el("button", {
    type: "button", class: "secondary", id: "show-more", "aria-expanded": "false", "aria-controls": "more", "data-key": "show-more",
    onclick: () => {
      const open = moreBtn.getAttribute("aria-expanded") !== "true";
      moreBtn.setAttribute("aria-expanded", String(open));
      moreBtn.textContent = open ? "Show less" : "Show more";
      more.hidden = !open;
    },
  }, "Show more");
  const summary = el("p", { class: "muted range-line" });
  const updated = el("p", { class: "muted updated", id: "updated" });
  const focus = el("section", { class: "card focus-card", "aria-labelledby": "focus-title" });
  const metrics = el("section", { class: "metric-section", "aria-labelledby": "metrics-title" });
  const recent = el("section", { class: "recent-section", "aria-labelledby": "recent-title" });
  const problem = el("div", {});

  mount(ctx.main,
    el("p", {}, el("a", { href: back }, "← Back to all inquiries")),
    el("h1", {}, inquiryName(inquiry), el("span", { class: "muted sub" }, ` · ${own ? "you" : nameOf(agent)}`)),
    summary, updated, problem, focus, metrics,
    el("p", {}, moreBtn), more,
    trendCard({ agent, model: state.model, inquiry, own, onCleanup: ctx.onCleanup }),
    recent);

  const draw = (d) => {
    const have = ORDER.filter((m) => d[m]);
    summary.textContent = `${channel(d.model)} · ${rangeText(d.from, d.to)} · ${fmtNumber(d.volume)} interactions · impact on ${own ? "your" : "the agent's"} AES ${fmtImpact(d.impact)}${impactWords(d.impact)}. ${EXPLAIN.impact}`;
    keepFocus(() => {
      drawFocus(focus, d, own, agent);
      mount(metrics,
        el("h2", { id: "metrics-title" }, own ? "Your figures" : `Figures of ${agent}`),
        el("div", { class: "cards metric-cards" }, have.map((m) => {
          const f = d[m];
          const rec = m === d.recommended_metric;
          return el("article", { class: "card metric-card" + (rec ? " recommended" : ""), "data-metric": m },
            el("h3", {}, METRICS[m].name, rec ? el("span", { class: "focus-tag" }, "Focus") : null),
            el("p", { class: "big value" }, fmtMetric(m, f.value)),
            f.value !== null ? basisNote(m, f.basis, f.labels) : null,
            el("p", {}, labelBadge(f.label)),
            el("p", { class: "help" }, METRICS[m].long + (METRICS[m].lower ? ", lower is better" : ", higher is better")));
        })));
      mount(more,
        el("h2", { id: "more-title" }, "Team average and top performer"),
        el("div", { class: "table-wrap" }, el("table", { class: "data benchmarks" },
          el("caption", {}, `${inquiryName(inquiry)} on ${channel(d.model)}: you, your team and the top performer among ${fmtNumber(d.population)} ranked agents`),
          el("thead", {}, el("tr", {}, ["Metric", "You", "Team average", showTop && d.top_agent ? `Top performer (${nameOf(d.top_agent)})` : "Top performer"].map((h) => el("th", { scope: "col" }, h)))),
          el("tbody", {}, have.map((m) => el("tr", { "data-metric": m },
            el("th", { scope: "row" }, METRICS[m].name),
            el("td", { class: "you" }, fmtMetric(m, d[m].value)),
            el("td", { class: "team" }, fmtMetric(m, d[m].team)),
            el("td", { class: "top" }, fmtMetric(m, d[m].top))))))));
      drawRecent(recent, d.recent);
    });
  };

  draw(d);
  const stamp = () => { const now = new Date(); mount(updated, "Updated ", el("time", { datetime: now.toISOString() }, clock(now))); };
  stamp();

  const refresh = async () => {
    try {
      const nd = await api.get(url());
      mount(problem);
      draw(nd);
      stamp();
    } catch (err) {
      mount(problem, errorBox(err));
    }
  };
  const again = debounce(refresh, 300);
  ctx.onCleanup(() => again.cancel());
  ctx.onCleanup(live.subscribe(`agent:${agent}`, (m) => {
    if (m.type === "score" && m.data && m.data.model === state.model && (!m.data.inquiries || m.data.inquiries.includes(inquiry))) again();
  }));
}

// drawFocus shows the recommended metric, why, and the way to a plan.
function drawFocus(node, d, own, agent) {
  const m = d.recommended_metric;
  if (!m || !METRICS[m]) {
    mount(node, el("h2", { id: "focus-title" }, "No focus metric yet"),
      el("p", { class: "help" }, "There are too few interactions to compare you with other agents on this inquiry."));
    return;
  }
  const name = METRICS[m].name;
  const f = d[m] || {};
  const [your, Your, you] = own ? ["your", "Your", "you rank"] : ["the agent's", "The agent's", "the agent ranks"];
  let why = `Of ${your} metrics on this inquiry, bringing ${your} ${METRICS[m].long.toLowerCase()} to the middle of the ${fmtNumber(d.population)} ranked agents would lower ${your} AES the most` +
    ` (when no metric would, it is the one where ${you} lowest). ${Your} ${name} is ${fmtMetric(m, f.value)}; the team's is ${fmtMetric(m, f.team)} and the top performer's ${fmtMetric(m, f.top)}.`;
  // The top performer (best AES on this inquiry) has no one to catch up
  // with: say so instead of advising a move to the middle.
  // (Agents are not told top_agent: their AES equal to the top one's is.)
  const isTop = d.top_agent ? d.top_agent === agent : !!d.aes && d.aes.value != null && d.aes.top != null && d.aes.value <= d.aes.top;
  if (isTop) {
    why = `${own ? "You are" : "The agent is"} the top performer on this inquiry: the best AES of the ${fmtNumber(d.population)} ranked agents.` +
      ` ${name} is where ${you} lowest among ${your} metrics here (${fmtMetric(m, f.value)}; the team's is ${fmtMetric(m, f.team)}), so it is the one to keep an eye on.`;
  }
  const plan = `#/plans/new${q({ model: d.model, inquiry: d.inquiry, metric: m })}`;
  mount(node,
    el("h2", { id: "focus-title", "data-metric": m }, `Focus on ${name}`),
    el("p", { class: "why" }, why.replace(/ (%|s\b)/g, "\u00a0$1")), // "89.6 %" never breaks before its unit
    own ? el("p", {}, el("a", { class: "button primary", href: plan, id: "build-plan", "data-key": "build-plan" }, "Build a coaching plan")) : null);
}

// The canonical fields in schema order; anything else follows.
const FIELDS = ["interaction_id", "revision", "tenant_id", "model", "agent_id", "team_id", "inquiry", "started_at", "ended_at",
  "handle_time_s", "predicted_satisfaction", "predicted_resolution", "source", "source_refs", "attributes"];

function drawRecent(node, list) {
  // Details the reader opened stay open across a live redraw.
  const open = new Set([...node.querySelectorAll("li[data-id] details[open]")].map((x) => x.parentElement.dataset.id));
  const show = (k, v) => {
    if (v === null || v === undefined) return "—";
    if (typeof v === "object") return JSON.stringify(v);
    if (k === "handle_time_s") return `${v} s (${fmtDuration(v)})`;
    if (k === "predicted_satisfaction" || k === "predicted_resolution") return `${v} (${(v * 100).toFixed(1)} %)`;
    return String(v);
  };
  mount(node,
    el("h2", { id: "recent-title" }, "Recent interactions"),
    !list || !list.length ? el("p", { class: "muted" }, "No interactions in this range: pick a longer range above.") :
      el("ol", { class: "plain recent" }, list.map((it) => {
        const keys = FIELDS.filter((k) => k in it).concat(Object.keys(it).filter((k) => !FIELDS.includes(k)));
        const bits = [fmtDate(it.ended_at), `handled in ${fmtDuration(it.handle_time_s)}`];
        if (it.predicted_satisfaction !== undefined && it.predicted_satisfaction !== null) bits.push(`satisfaction ${fmtMetric("psat", it.predicted_satisfaction)}`);
        if (it.predicted_resolution !== undefined && it.predicted_resolution !== null) bits.push(`resolution ${fmtMetric("pres", it.predicted_resolution)}`);
        return el("li", { "data-id": it.interaction_id },
          el("details", { open: open.has(it.interaction_id) },
            el("summary", { "data-key": "it-" + it.interaction_id }, bits.join(" · ")),
            el("dl", { class: "kv" }, [["Interaction", it.interaction_id], ["Started", fmtDate(it.started_at)], ["Ended", fmtDate(it.ended_at)],
              ["Handle time", fmtDuration(it.handle_time_s)],
              ["Predicted satisfaction", it.predicted_satisfaction != null ? fmtMetric("psat", it.predicted_satisfaction) : "—"],
              ["Predicted resolution", it.predicted_resolution != null ? fmtMetric("pres", it.predicted_resolution) : "—"],
              ["Team", teamName(it.team_id)], ["Channel", channel(it.model)]].map(([k, v]) => el("div", {}, el("dt", {}, k), el("dd", {}, v)))),
            // The record as the contact-center feed sent it, for whoever
            // checks it against their own systems.
            el("details", { class: "raw-fields" }, el("summary", {}, "Everything the feed sent"),
              el("dl", { class: "fields" }, keys.map((k) => [el("dt", {}, k), el("dd", {}, show(k, it[k]))])))));
      })));
}
