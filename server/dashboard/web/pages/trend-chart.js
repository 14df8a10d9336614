// pages/trend-chart.js: trends drawn with the vendored uPlot.
//
// trendCard: one agent's weekly or daily series on a model (or one
// inquiry) from GET /v1/agents/{a}/trend, with their team's line and the
// population's quartile band (the middle half of the agents: first to
// third quartile) and median; the metric and the step are picked above
// the chart, and the same points are in a table for screen readers.
// sparkline: a small line of one agent's weekly AES for the team table.
// Both fit their time axis to the data (fitSpan): the API answers every
// period of 3 months, and a series covering weeks would otherwise sit in
// a corner of an axis of empty periods.
import { api, q } from "../api.js";
import { el, mount, fmtMetric, fmtNumber, fmtDay, inquiryName } from "../ui.js";
import { nameOf } from "../names.js";

const CHOICES = [["aes", "AES"], ["aht", "Handle time"], ["psat", "Satisfaction"], ["pres", "Resolution"], ["volume", "Volume"]];
const HELP = {
  aes: "AES: seconds of handling per satisfied, resolved contact. Lower is better.",
  aht: "Average handle time. Lower is better.",
  psat: "Predicted satisfaction. Higher is better.",
  pres: "Predicted resolution. Higher is better.",
  volume: "Interactions handled.",
};

function value(fig, metric) {
  if (!fig) return null;
  return metric === "volume" ? fig.volume : fig[metric] ?? null;
}

function fmt(metric, v) {
  return metric === "volume" ? fmtNumber(v) : fmtMetric(metric, v);
}

// DAY_TICKS are the time axis' tick spacings, in seconds: whole days
// and weeks only, so that a wide chart never labels one day twice.
export const DAY_TICKS = [86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400, 91 * 86400];

// MINUTE_TICKS are a handle-time axis' tick spacings, in seconds: "9m 30s",
// "10m 00s", never "6m 40s".
export const MINUTE_TICKS = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];

// The fewest periods a trend's axis shows: 4 weeks, or 7 days.
export const MIN_SPAN = { week: 4, day: 7 };

// fitSpan returns [lo, hi) of the periods to draw: from the first to the
// last period with data (has[i]), widened to at least minPts periods,
// earlier ones first (the periods before the data, then after it), never
// beyond the periods there are. No data: every period.
export function fitSpan(has, minPts) {
  const first = has.indexOf(true), last = has.lastIndexOf(true);
  if (first < 0) return [0, has.length];
  let lo = first, hi = last + 1;
  lo = Math.max(0, Math.min(lo, hi - minPts));
  hi = Math.min(has.length, Math.max(hi, lo + minPts));
  return [lo, hi];
}

// fitY is the value axis of a trend: the values drawn with a margin of
// 15 % of their spread (a week-to-week change of a few seconds must show,
// which an axis from 0 flattens), never below 0 nor, for a share, above
// 100 %.
export function fitY(metric, lo, hi) {
  if (lo == null || hi == null) return [0, 1];
  const pad = hi > lo ? (hi - lo) * 0.15 : Math.abs(hi) * 0.1 || 1;
  const top = hi + pad;
  return [Math.max(0, lo - pad), metric === "psat" || metric === "pres" ? Math.min(1, top) : top];
}

// trendCard returns a card node and starts loading it. opt: agent, model,
// inquiry ("" for every inquiry), own (whose words), metric (the one
// shown first, default aes), title, onCleanup.
export function trendCard(opt) {
  const st = { metric: opt.metric || "aes", step: "week", data: null };
  const chartBox = el("div", { class: "chart trend-chart", role: "img", "aria-labelledby": `trend-summary` });
  const summary = el("p", { class: "help", id: "trend-summary" });
  const tableBox = el("details", { class: "trend-table" });
  const help = el("p", { class: "help", id: "trend-help" });
  const metricSel = el("select", { id: "trend-metric", "aria-describedby": "trend-help", onchange: () => { st.metric = metricSel.value; draw(); } },
    CHOICES.map(([k, t]) => el("option", { value: k, selected: k === st.metric }, t)));
  const stepBtns = [["week", "Weekly"], ["day", "Daily"]].map(([s, t]) =>
    el("button", { type: "button", class: "preset", "data-step": s, "aria-pressed": String(s === st.step), onclick: () => { st.step = s; load(); } }, t));
  const card = el("section", { class: "card trend-card", "aria-labelledby": "trend-title", id: "trend" },
    el("h2", { id: "trend-title" }, opt.title || (opt.inquiry ? `Trend on ${inquiryName(opt.inquiry)}` : "Trend")),
    el("div", { class: "trend-controls" },
      el("div", {}, el("label", { for: "trend-metric" }, "Show"), metricSel),
      el("div", { class: "presets", role: "group", "aria-label": "Points" }, stepBtns)),
    help, chartBox, summary, tableBox);
  let chart = null;

  async function load() {
    stepBtns.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.step === st.step)));
    try {
      st.data = await api.get(`/v1/agents/${encodeURIComponent(opt.agent)}/trend${q({ model: opt.model, inquiry: opt.inquiry, step: st.step })}`);
      draw();
    } catch (err) {
      mount(chartBox, el("p", { class: "error", role: "alert" }, `The trend could not be loaded: ${err.message}`));
    }
  }

  function draw() {
    const d = st.data;
    if (!d) return;
    const m = st.metric;
    const band = (p, k) => (m === "volume" || !p.population[m] ? null : p.population[m][k]);
    const fit = (p) => value(p.agent, m) !== null || value(p.team, m) !== null;
    const [lo, hi] = fitSpan(d.points.map(fit), MIN_SPAN[st.step]);
    const pts = d.points.slice(lo, hi);
    const xs = pts.map((p) => Date.parse(p.from) / 1000);
    const mine = pts.map((p) => value(p.agent, m));
    const team = pts.map((p) => value(p.team, m));
    const q1 = pts.map((p) => band(p, "q1")), med = pts.map((p) => band(p, "median")), q3 = pts.map((p) => band(p, "q3"));
    const who = opt.own ? "You" : nameOf(opt.agent);
    help.textContent = HELP[m] + (m === "volume" ? "" : " The shaded band is the middle half of all agents (first to third quartile).");
    const have = mine.filter((v) => v !== null);
    summary.textContent = have.length
      ? `${who}: ${fmt(m, have[have.length - 1])} in the latest ${st.step === "week" ? "week" : "day"} with data, ${fmt(m, have[0])} in the first; ${have.length} of ${pts.length} ${st.step === "week" ? "weeks" : "days"} with interactions.`
      : `No interactions in these ${st.step === "week" ? "weeks" : "days"}.`;
    mount(tableBox, el("summary", {}, "The points as a table"),
      el("div", { class: "table-wrap" }, el("table", { class: "data" },
        el("caption", { class: "sr-only" }, `${CHOICES.find(([k]) => k === m)[1]} per ${st.step}`),
        el("thead", {}, el("tr", {}, [st.step === "week" ? "Week of" : "Day", who, "Team", "Middle half of agents"].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, pts.map((p, i) => el("tr", {},
          el("th", { scope: "row" }, fmtDay(p.from) + (p.partial ? " (part)" : "")),
          el("td", {}, fmt(m, mine[i])), el("td", {}, fmt(m, team[i])),
          el("td", {}, q1[i] === null ? "—" : `${fmt(m, q1[i])} – ${fmt(m, q3[i])}`)))))));
    if (!window.uPlot) return;
    const data = [xs, q3, q1, med, team, mine];
    const width = Math.max(260, chartBox.clientWidth || 600);
    if (chart) chart.destroy();
    mount(chartBox);
    const show = (u, v) => fmt(m, v);
    chart = new window.uPlot({
      width, height: 220,
      series: [{},
        { label: "Middle half of agents (upper edge)", stroke: "rgba(87,96,106,.35)", width: 1, points: { show: false }, value: show },
        { label: "Middle half of agents (lower edge)", stroke: "rgba(87,96,106,.35)", width: 1, points: { show: false }, value: show },
        { label: "Median of agents", stroke: "#57606a", width: 1, dash: [2, 4], points: { show: false }, value: show },
        { label: "Team", stroke: "#8a5a00", width: 2, dash: [8, 4], points: { show: false }, spanGaps: true, value: show },
        { label: who, stroke: "#0b5cad", width: 2.5, spanGaps: true, points: { show: true, size: 6, fill: "#0b5cad" }, value: show }],
      bands: [{ series: [1, 2], fill: "rgba(87,96,106,.12)" }],
      legend: { live: false },
      axes: [{ incrs: DAY_TICKS, values: (u, vals) => vals.map((v) => fmtDay(new Date(v * 1000).toISOString(), true)) },
        { values: (u, vals) => vals.map((v) => (m === "psat" || m === "pres" ? Math.round(v * 100) + " %" : m === "volume" ? String(v) : m === "aht" ? fmtMetric(m, v) : Math.round(v) + " s")), size: m === "aht" ? 76 : 64, ...(m === "aht" ? { incrs: MINUTE_TICKS } : {}) }],
      scales: { x: { time: true }, y: { range: (u, lo, hi) => fitY(m, lo, hi) } },
    }, data, chartBox);
  }

  const onResize = () => { if (chart && chartBox.clientWidth && Math.abs(chart.width - chartBox.clientWidth) > 4) draw(); };
  window.addEventListener("resize", onResize);
  if (opt.onCleanup) opt.onCleanup(() => { window.removeEventListener("resize", onResize); if (chart) chart.destroy(); });
  load();
  return card;
}

// sparkline draws values (oldest first, null for no data) as a small
// uPlot line; label is its text for screen readers and the tooltip.
export function sparkline(values, label) {
  const box = el("span", { class: "spark", role: "img", "aria-label": label, title: label });
  const have = values.filter((v) => v !== null);
  if (!window.uPlot || have.length < 2) {
    box.textContent = have.length ? "" : "—";
    return box;
  }
  const xs = values.map((_, i) => i);
  // Drawn once the box is in the document (uPlot measures nothing, but
  // the table is mounted after the cells are built).
  queueMicrotask(() => {
    new window.uPlot({
      width: 96, height: 24, pxAlign: 0,
      cursor: { show: false }, legend: { show: false }, select: { show: false },
      axes: [{ show: false }, { show: false }],
      scales: { x: { time: false }, y: { range: (u, lo, hi) => [lo - (hi - lo) * 0.1 - 1e-9, hi + (hi - lo) * 0.1 + 1e-9] } },
      series: [{}, { stroke: "#0b5cad", width: 1.5, spanGaps: true, points: { show: false } }],
    }, [xs, values], box);
  });
  return box;
}
