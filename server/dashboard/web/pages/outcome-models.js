// pages/outcome-models.js: the outcome learner for admins
// (#/outcome-models): per model with data (GET /v1/models) and target
// (satisfaction, resolution), GET /v1/outcome-models?model= shows what the
// figures use (the learnt model or the base rate), the labels behind it,
// how it validates against the base rate over the last 4 weeks, and its
// calibration by decile as a uPlot chart (predicted against observed, the
// diagonal being perfect) with the same points in a table.
import { api, q } from "../api.js";
import { el, mount, fmtNumber, channel } from "../ui.js";

const SERVING = {
  model: "Learnt model",
  base_rate: "Base rate per inquiry",
  none: "Nothing yet",
};
const SERVING_HELP = {
  model: "The model beats the base rate on the last 4 weeks, so figures use its predictions.",
  base_rate: "The model does not (yet) beat the base rate on the last 4 weeks, so figures use the base rate of each inquiry.",
  none: "No label has matured yet: satisfaction and resolution have no learnt estimate.",
};
const TARGET = {
  satisfaction: ["Satisfaction", "surveys"],
  resolution: ["Resolution", "followed-up contacts"],
};

const num = (v, d = 3) => (v === null || v === undefined ? "—" : v.toFixed(d));
const pct = (v) => (v === null || v === undefined ? "—" : Math.round(v * 100) + " %");

export async function render(ctx) {
  if (ctx.claims.role !== "admin") {
    mount(ctx.main, el("h1", {}, "Outcome models"), el("p", { class: "error", role: "alert" }, "Only admins see the outcome models."));
    return;
  }
  const { models } = await api.get("/v1/models");
  const charts = [];
  ctx.onCleanup(() => charts.forEach((c) => c.destroy()));
  const sections = [], draws = [];
  for (const m of models) sections.push(await modelSection(m.model, draws));
  mount(ctx.main,
    el("h1", {}, "Outcome models"),
    el("p", { class: "help" }, "Where the feed has no predicted satisfaction or resolution, agentpulse learns them from surveys and from customers coming back. Each channel and target has one model on case-mix only (never agent or team); it is used only while it predicts better than the base rate of each inquiry."),
    models.length ? sections : el("p", {}, "No interactions yet."));
  // The charts are drawn once the cards are in the document, at their
  // width, and again when the window is resized.
  const drawAll = () => {
    charts.splice(0).forEach((c) => c.destroy());
    for (const draw of draws) {
      const c = draw();
      if (c) charts.push(c);
    }
  };
  drawAll();
  let timer = 0;
  const onResize = () => { clearTimeout(timer); timer = setTimeout(drawAll, 100); };
  window.addEventListener("resize", onResize);
  ctx.onCleanup(() => { clearTimeout(timer); window.removeEventListener("resize", onResize); });
}

async function modelSection(model, draws) {
  const head = el("h2", { id: `om-${model}` }, channel(model));
  let ans;
  try {
    ans = await api.get(`/v1/outcome-models${q({ model })}`);
  } catch (err) {
    const msg = err.status === 404 ? "Nothing learnt yet on this channel: no interaction or outcome has reached the learner."
      : err.status === 503 ? "The outcome learner is not running here (or its first summary has not arrived yet)."
        : `The outcome model could not be loaded: ${err.message}`;
    return el("section", { class: "om-model", "data-model": model, "aria-labelledby": `om-${model}` }, head, el("p", { class: "help" }, msg));
  }
  return el("section", { class: "om-model", "data-model": model, "aria-labelledby": `om-${model}` }, head,
    el("div", { class: "cards om-targets" }, ans.targets.map((t) => targetCard(model, t, draws))));
}

function targetCard(model, t, draws) {
  const [name, unit] = TARGET[t.target] || [t.target, "labels"];
  const id = `om-${model}-${t.target}`;
  const chartBox = el("div", { class: "chart om-chart", role: "img", "aria-label": `Calibration of ${name.toLowerCase()} on ${channel(model)}: predicted against observed by decile` });
  const deciles = t.calibration.map((d, i) => ({ i, ...d })).filter((d) => d.n > 0);
  const card = el("section", { class: "card om-target", "data-target": t.target, "data-serving": t.serving, "aria-labelledby": id },
    el("h3", { id }, name),
    el("p", { class: "om-serving" }, el("strong", {}, SERVING[t.serving] || t.serving), el("span", { class: "help" }, " — " + (SERVING_HELP[t.serving] || ""))),
    el("dl", { class: "kv" },
      row("Labels learnt from", `${fmtNumber(t.labels)} ${unit}`, "labels"),
      row("In the last 4 weeks", fmtNumber(t.window_labels), "window"),
      row("Pending", fmtNumber(t.pending), "pending"),
      row("Log-loss (model / base rate)", `${num(t.log_loss)} / ${num(t.base_log_loss)}`, "logloss"),
      row("Normalized entropy (model / base rate)", `${num(t.normalized_entropy)} / ${num(t.base_normalized_entropy)}`, "ne"),
      row("AUC", num(t.auc), "auc"),
      row("Positive rate", pct(t.positive_rate), "rate"),
      row("Version", fmtNumber(t.version), "version")),
    chartBox,
    el("details", { class: "om-table" }, el("summary", {}, "Calibration as a table"),
      el("div", { class: "table-wrap" }, el("table", { class: "data" },
        el("caption", { class: "sr-only" }, `Calibration of ${name.toLowerCase()} by decile`),
        el("thead", {}, el("tr", {}, ["Decile", "Labels", "Predicted", "Observed"].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, t.calibration.map((d, i) => el("tr", {},
          el("th", { scope: "row" }, `${i * 10}–${i * 10 + 10} %`), el("td", {}, fmtNumber(d.n)), el("td", {}, pct(d.predicted)), el("td", {}, pct(d.observed)))))))));
  if (!deciles.length) {
    chartBox.textContent = "No validated label in the last 4 weeks: no calibration yet.";
    chartBox.classList.add("help");
    return card;
  }
  draws.push(() => {
    if (!window.uPlot || !chartBox.isConnected) return null;
    mount(chartBox);
    const xs = [0, ...deciles.map((d) => d.predicted), 1];
    const diag = xs.slice();
    const obs = [null, ...deciles.map((d) => d.observed), null];
    const width = Math.max(240, Math.min(520, chartBox.clientWidth || 320));
    return new window.uPlot({
      width, height: Math.round(width * 0.7),
      cursor: { show: false }, select: { show: false },
      legend: { live: false },
      scales: { x: { time: false, range: [0, 1] }, y: { range: [0, 1] } },
      axes: [{ label: "Predicted", values: (u, vals) => vals.map((v) => Math.round(v * 100) + " %") },
        { label: "Observed", values: (u, vals) => vals.map((v) => Math.round(v * 100) + " %"), size: 56 }],
      series: [{},
        { label: "Perfect", stroke: "#57606a", width: 1, dash: [4, 4], points: { show: false } },
        { label: "Observed", stroke: "#0b5cad", width: 2, spanGaps: true, points: { show: true, size: 7, fill: "#0b5cad" } }],
    }, [xs, diag, obs], chartBox);
  });
  return card;
}

function row(dt, dd, key) {
  return el("div", { "data-fig": key }, el("dt", {}, dt), el("dd", {}, dd));
}
