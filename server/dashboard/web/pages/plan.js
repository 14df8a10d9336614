// pages/plan.js: one coaching plan (#/plans/:id): Start, Now (with its
// volume), target, status, on track, warnings, a progress chart of the
// daily history with the target line (uPlot) and the same points as a
// table, action checkboxes (saved at once, rolled back on error), the asks
// for help and a cancel button with a confirmation. Live: plan:{id}
// messages update Now, on track, the status and the chart in place.
import { api } from "../api.js";
import { live } from "../live.js";
import { el, mount, fmtMetric, fmtNumber, fmtDate, fmtDay, status, METRICS, channel, inquiryName } from "../ui.js";
import { statusBadge, onTrackBadge, metricName, planTitle, ymd } from "./plan-util.js";
import { trendCard, DAY_TICKS, MINUTE_TICKS } from "./trend-chart.js";
import { nameOf } from "../names.js";

// nowLine says what Now counts: only interactions since the plan started
// ("7 of 20 since you started"); until there is one, Start is the baseline.
// mine: said to the plan's agent, else about them to their team leader.
export function nowLine(p, mine = true) {
  if (p.now_value == null) {
    return mine ? " your Start, until your first interaction on this inquiry since you started"
      : " their Start, until their first interaction on this inquiry since the plan started";
  }
  return ` ${fmtNumber(p.now_volume)} of 20 interactions since ${mine ? "you started" : "the plan started"}`;
}

// points is the plan's daily history plus today's Now (so far) when the
// history has no point for today yet.
function points(p) {
  const pts = (p.history || []).map((h) => ({ date: h.date, value: h.value, today: false }));
  const today = ymd(new Date());
  if (p.status === "in_progress" && p.now_value != null && (!pts.length || pts[pts.length - 1].date < today)) pts.push({ date: today, value: p.now_value, today: true });
  return pts;
}

export async function render(ctx) {
  // The page holds edits: display names changed meanwhile show when it
  // is next opened, rather than a redraw losing what was typed.
  ctx.onNames(() => {});
  const id = ctx.params.id;
  let plan = await api.get(`/v1/plans/${encodeURIComponent(id)}`);
  const mine = plan.agent_id === ctx.claims.sub;
  const figures = el("dl", { class: "figures plan-figures", "aria-live": "polite" });
  const warnings = el("div", {});
  const chartBox = el("div", { class: "chart", id: "plan-chart", role: "img", "aria-labelledby": "chart-summary" });
  const chartSummary = el("p", { id: "chart-summary", class: "help" });
  const pointsTable = el("div", { class: "table-wrap points" });
  const actions = el("div", {});
  const cancelBox = el("div", { class: "cancel-box" });
  const helpBox = el("div", { class: "help-box" });
  let chart = null;
  let pending = 0; // action saves in flight: live messages do not redraw actions meanwhile

  function drawFigures() {
    const m = plan.metric;
    const fig = (label, key, ...value) => el("div", { "data-fig": key }, el("dt", {}, label), el("dd", {}, ...value));
    mount(figures,
      fig("Start", "start", fmtMetric(m, plan.start_value), el("span", { class: "small muted" }, mine ? " your last 3 months before the plan" : " their last 3 months before the plan")),
      fig("Now", "now", el("span", { id: "now-value" }, fmtMetric(m, plan.now_value != null ? plan.now_value : plan.start_value)),
        el("span", { class: "small muted", id: "now-volume" }, nowLine(plan, mine))),
      fig("Target", "target", fmtMetric(m, plan.target_value), el("span", { class: "small muted" }, ` by ${fmtDay(plan.target_date)}`)),
      fig("Status", "status", statusBadge(plan.status)),
      fig("On track", "ontrack", onTrackBadge(plan)));
    mount(warnings, plan.warnings && plan.warnings.length
      ? el("div", { class: "warning", role: "note" }, el("strong", {}, "Note: "), el("ul", {}, plan.warnings.map((w) => el("li", {}, w.replace(/^target_date: /, "The target date ")))))
      : null);
  }

  function drawChart() {
    const m = plan.metric;
    const pts = points(plan);
    const pct = m === "psat" || m === "pres";
    const lower = METRICS[m].lower;
    chartSummary.textContent = pts.length
      ? `${metricName(m)} per day, ${pts.length} point${pts.length > 1 ? "s" : ""} from ${pts[0].date} to ${pts[pts.length - 1].date}; latest ${fmtMetric(m, pts[pts.length - 1].value)}, target ${fmtMetric(m, plan.target_value)} (${lower ? "lower" : "higher"} is better), start ${fmtMetric(m, plan.start_value)}.`
      : mine ? "No points yet: Now appears with your first interaction on this inquiry since the plan started; until then your Start is the baseline."
        : `No points yet: Now appears with ${nameOf(plan.agent_id)}'s first interaction on this inquiry since the plan started; until then their Start is the baseline.`;
    // No points yet: the chart takes the card's width (no empty column).
    chartBox.closest(".chart-grid")?.classList.toggle("single", !pts.length);
    mount(pointsTable, pts.length ? el("table", { class: "data" },
      el("caption", {}, "Progress by day"),
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Day"), el("th", { scope: "col" }, `Now (${metricName(m)})`), el("th", { scope: "col" }, "Target"))),
      el("tbody", {}, pts.map((p) => el("tr", {}, el("th", { scope: "row" }, p.date + (p.today ? " (today, so far)" : "")), el("td", {}, fmtMetric(m, p.value)), el("td", {}, fmtMetric(m, plan.target_value)))))) : null);
    if (!window.uPlot) return;
    // x runs from the plan's first day to its target date, so that the
    // target line spans the plan and a young plan's few points sit at its
    // start; Now has a value on its days only.
    const day = (d) => Date.parse(d + "T12:00:00Z") / 1000;
    const byX = new Map(pts.map((p) => [day(p.date), p.value]));
    const xs = [...new Set([day(plan.created_at.slice(0, 10)), ...byX.keys(), day(plan.target_date)])].sort((a, b) => a - b);
    const data = [xs, xs.map((x) => (byX.has(x) ? byX.get(x) : null)), xs.map(() => plan.target_value), xs.map(() => plan.start_value)];
    const width = Math.max(260, chartBox.clientWidth || 600);
    if (chart && chart.width === width) {
      chart.setData(data);
      return;
    }
    if (chart) chart.destroy();
    // The axis says figures as the cards do: handle time in minutes and
    // seconds, AES in seconds, shares in per cent.
    const fmt = (v) => (v == null ? "—" : pct ? (v * 100).toFixed(0) + " %" : m === "aht" ? fmtMetric(m, v) : Math.round(v) + " s");
    chart = new window.uPlot({
      width, height: 240,
      series: [{},
        { label: "Now", stroke: "#0b5cad", width: 2, spanGaps: true, points: { show: true, size: 7, fill: "#0b5cad" }, value: (u, v) => fmtMetric(m, v) },
        { label: "Target", stroke: "#0a5c2b", width: 2, dash: [8, 4], points: { show: false }, value: (u, v) => fmtMetric(m, v) },
        { label: "Start", stroke: "#57606a", width: 1, dash: [2, 4], points: { show: false }, value: (u, v) => fmtMetric(m, v) }],
      legend: { live: false },
      axes: [{ incrs: DAY_TICKS, values: (u, vals) => vals.map((v) => new Date(v * 1000).toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" })) },
        { values: (u, vals) => vals.map(fmt), size: m === "aht" ? 76 : 60, ...(m === "aht" ? { incrs: MINUTE_TICKS } : {}) }],
      scales: { x: { time: true }, y: { range: (u, lo, hi) => [Math.min(0, lo), hi * 1.1] } },
    }, data, chartBox);
  }

  function drawActions() {
    mount(actions, el("fieldset", { class: "plan-actions" }, el("legend", {}, mine ? "Your actions" : `Actions of ${nameOf(plan.agent_id)}`),
      plan.actions.map((a, i) => {
        const cid = `plan-action-${i}`;
        const box = el("input", { type: "checkbox", id: cid, checked: a.done, disabled: !mine && ctx.claims.role === "agent", onchange: (e) => toggle(i, e.target) });
        return el("div", { class: "check" }, box, el("label", { for: cid }, a.text));
      })),
    el("section", { "aria-labelledby": "asks-title" }, el("h2", { id: "asks-title" }, mine ? "Help you asked for" : "Help asked for"), el("ul", {}, plan.assistance.map((a) => el("li", {}, a)))));
  }

  // drawHelp: whether a team leader took up the asks (a leader or an
  // admin may do so here), and the conversation on the plan.
  function drawHelp() {
    const leader = ctx.claims.role === "supervisor" || ctx.claims.role === "admin";
    const ackLine = plan.help_ack
      ? el("p", { id: "help-ack" }, `✓ ${plan.help_ack.by === ctx.claims.sub ? "You" : nameOf(plan.help_ack.by)} took up ${mine ? "your" : "the"} asks for help on ${fmtDate(plan.help_ack.at)}.`)
      : leader
        ? el("p", { id: "help-ack" }, el("button", { type: "button", class: "primary", id: "ack-help", onclick: acknowledge }, "I'll take this"), " ",
          el("span", { class: "muted" }, "tells the agent you took up their asks for help."))
        : el("p", { id: "help-ack", class: "muted" }, "Your team leader has been told about your asks for help; no one has taken them up yet.");
    const list = (plan.comments || []).length
      ? el("ol", { class: "comments", id: "comment-list" }, plan.comments.map((c) => el("li", {},
        el("span", { class: "who" }, c.by === ctx.claims.sub ? "You" : nameOf(c.by)), el("span", { class: "muted small" }, ` · ${c.role === "agent" ? "agent" : "team leader"} · ${fmtDate(c.at)}`),
        el("p", {}, c.text))))
      : el("p", { class: "muted", id: "comment-list" }, mine ? "No comments yet. Write to your team leader below." : "No comments yet.");
    const box = el("textarea", { id: "comment-text", name: "text", maxlength: 1000, "aria-describedby": "comment-error" });
    const err = el("p", { id: "comment-error", class: "field-error", role: "alert" });
    const form = el("form", { class: "comment-form", onsubmit: async (e) => {
      e.preventDefault();
      const text = box.value.trim();
      if (!text) { err.textContent = "Write a comment first."; box.setAttribute("aria-invalid", "true"); return; }
      send.disabled = true;
      try {
        plan = await api.post(`/v1/plans/${encodeURIComponent(id)}/comments`, { text });
        draft = "";
        drawAll();
        status("Comment sent.");
      } catch (er) {
        send.disabled = false;
        err.textContent = er.message;
      }
    } }, el("label", { for: "comment-text" }, "Write a comment"), box, err);
    const send = el("button", { type: "submit", class: "secondary", id: "send-comment" }, "Send");
    form.append(send);
    box.value = draft;
    box.addEventListener("input", () => { draft = box.value; });
    const hadFocus = document.activeElement && document.activeElement.id === "comment-text";
    mount(helpBox, ackLine, el("h3", { id: "comments" }, "Conversation"), list, form);
    if (hadFocus) box.focus(); // a live update redraws the form: keep typing where you were
  }
  let draft = "";

  async function acknowledge(e) {
    e.target.disabled = true;
    try {
      plan = await api.post(`/v1/plans/${encodeURIComponent(id)}/acknowledge`);
      window.dispatchEvent(new Event("inbox-changed"));
      drawAll();
      status("You took up the asks for help; the agent sees it on the plan.");
    } catch (err) {
      e.target.disabled = false;
      status(`Could not take up the asks: ${err.message}`, "error");
    }
  }

  async function toggle(i, box) {
    const want = box.checked;
    plan.actions[i].done = want; // optimistic
    pending++;
    try {
      const p = await api.patch(`/v1/plans/${encodeURIComponent(id)}/actions/${i}`, { done: want });
      plan = { ...plan, actions: p.actions };
      status(want ? "Action ticked as done." : "Action marked as not done.");
    } catch (err) {
      plan.actions[i].done = !want;
      box.checked = !want;
      status(`Could not save the action: ${err.message}`, "error");
    } finally {
      pending--;
    }
  }

  function drawCancel() {
    if (plan.status !== "in_progress") return mount(cancelBox);
    const ask = el("button", { type: "button", class: "secondary danger", id: "cancel-plan", onclick: () => confirm() }, "Cancel this plan");
    mount(cancelBox, ask);
    function confirm() {
      const no = el("button", { type: "button", class: "secondary", id: "cancel-no", onclick: () => { drawCancel(); cancelBox.querySelector("button").focus(); } }, "No, keep it");
      const yes = el("button", { type: "button", class: "primary danger", id: "cancel-yes", onclick: async () => {
        yes.disabled = true;
        try {
          plan = await api.post(`/v1/plans/${encodeURIComponent(id)}/cancel`);
          drawAll();
          status("The plan is cancelled.");
        } catch (err) {
          yes.disabled = false;
          status(`Could not cancel the plan: ${err.message}`, "error");
        }
      } }, "Yes, cancel the plan");
      mount(cancelBox, el("div", { class: "confirm", role: "alertdialog", "aria-labelledby": "cancel-q" },
        el("p", { id: "cancel-q" }, "Cancel this plan? It ends now and cannot be resumed."), el("div", { class: "wiz-nav" }, no, yes)));
      no.focus();
    }
  }

  function drawAll() {
    drawFigures();
    drawChart();
    if (!pending) drawActions();
    drawHelp();
    drawCancel();
  }

  mount(ctx.main,
    el("p", { class: "crumbs" }, el("a", { href: mine ? "#/plans" : `#/agent/${encodeURIComponent(plan.agent_id)}/plans` }, mine ? "My coaching plans" : `Coaching plans of ${nameOf(plan.agent_id)}`)),
    el("h1", {}, `${planTitle(plan)} on ${inquiryName(plan.inquiry)}`, el("span", { class: "muted small" }, ` · ${channel(plan.model)}${mine ? "" : " · " + nameOf(plan.agent_id)}`)),
    el("p", { class: "muted" }, `${METRICS[plan.metric].long}, created ${fmtDate(plan.created_at)}, target date ${fmtDay(plan.target_date)}.`),
    figures, warnings,
    el("section", { class: "card", "aria-labelledby": "progress-title" }, el("h2", { id: "progress-title" }, "Progress"),
      el("div", { class: "chart-grid", id: "plan-chart-grid" }, el("div", {}, chartBox, chartSummary), pointsTable)),
    trendCard({ agent: plan.agent_id, model: plan.model, inquiry: plan.inquiry, own: mine, metric: plan.metric,
      title: `${metricName(plan.metric)} on ${inquiryName(plan.inquiry)} week by week, before and during the plan`, onCleanup: ctx.onCleanup }),
    el("div", { class: "card" }, actions),
    el("div", { class: "card" }, el("section", { "aria-labelledby": "help-title" }, el("h2", { id: "help-title" }, mine ? "Coaching with your team leader" : "Coaching conversation"), helpBox)), cancelBox);
  drawAll();

  const onResize = () => { if (chart && chartBox.clientWidth && Math.abs(chart.width - chartBox.clientWidth) > 4) { chart.destroy(); chart = null; drawChart(); } };
  window.addEventListener("resize", onResize);
  ctx.onCleanup(() => { window.removeEventListener("resize", onResize); if (chart) chart.destroy(); });
  ctx.onCleanup(live.subscribe(`plan:${id}`, (msg) => {
    if ((msg.type === "plan" || msg.type === "snapshot") && msg.data && msg.data.id === id) {
      plan = msg.data;
      drawAll();
    }
  }));
}
