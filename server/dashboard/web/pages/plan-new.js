// pages/plan-new.js: the coaching plan wizard (DESIGN.md §1 "Coaching
// plans"), one step at a time: model, inquiry and metric; target
// improvement; target date; review of the poorest interactions; actions;
// asks for help; summary and commit. The client mirrors the rules as you
// type (messages next to the fields, in plain words) and Next stays on a
// step until its rules are met, so a plan is never refused five steps
// later; a plan in progress on the same inquiry and metric is named at
// step 1. The server is still the judge: a 400 shows every broken rule
// next to its field and jumps to its step; a 409 links the existing plan.
import { api, q, ApiError } from "../api.js";
import { el, mount, fmtMetric, fmtNumber, fmtDuration, fmtDate, fmtDay, METRICS, errorBox, channel, inquiryName, teamName } from "../ui.js";
import { RULES, target, ymd, todayUTC, addDays, startWindow, checkDate, checkPct, metricName, modelMetrics } from "./plan-util.js";
import { nameOf } from "../names.js";

const STEPS = [
  { id: "pick", title: "Inquiry and metric", fields: ["model", "inquiry", "metric"] },
  { id: "target", title: "Target improvement", fields: ["improvement_pct"] },
  { id: "date", title: "Target date", fields: ["target_date"] },
  { id: "review", title: "Review your poorest interactions", fields: [] },
  { id: "actions", title: "Your actions", fields: ["actions"] },
  { id: "help", title: "Ask for help", fields: ["assistance"] },
  { id: "summary", title: "Summary", fields: [] },
];

// stepOf is the step index of a field named by the server ("actions[1]"
// belongs to the actions step); the summary when unknown.
function stepOf(field) {
  const base = (field || "").replace(/\[\d+\]$/, "");
  const i = STEPS.findIndex((s) => s.fields.includes(base));
  return i < 0 ? STEPS.length - 1 : i;
}

export async function render(ctx) {
  // The page holds edits: display names changed meanwhile show when it
  // is next opened, rather than a redraw losing what was typed.
  ctx.onNames(() => {});
  const agent = ctx.query.get("agent") || ctx.claims.sub;
  const A = `/v1/agents/${encodeURIComponent(agent)}`;
  const st = {
    step: 0,
    model: ctx.query.get("model") || "",
    inquiry: ctx.query.get("inquiry") || "",
    metric: ctx.query.get("metric") || "",
    pct: 10,
    date: ymd(addDays(todayUTC(), 30)),
    actions: [""],
    catalog: [],
    picked: new Set(),
    free: [],
    models: [],
    inquiries: [],
    detail: null, // the inquiry over the start window
    worst: null,
    errors: {}, // field → the client's own message (mirrored rules)
    server: {}, // field → the server's message from the last refusal, until the value changes
    sentAssist: [], // what assistance[i] was: {kind: "catalog"|"free", key}
    busy: false,
    existing: [], // the agent's plans in progress (a copy of one is refused)
  };

  const [{ models }, cat, mine] = await Promise.all([api.get(`${A}/models`), api.get("/v1/assistance-catalog").catch(() => ({ items: [] })),
    api.get(`${A}/plans?status=in_progress`).catch(() => ({ plans: [] }))]);
  st.existing = mine.plans || [];
  st.models = models;
  st.catalog = cat.items || [];
  if (!models.length) {
    mount(ctx.main, el("h1", {}, agent === ctx.claims.sub ? "New coaching plan" : `New coaching plan for ${nameOf(agent)}`), el("p", {}, "You have no interactions yet: a plan starts from your last 3 months."));
    return;
  }
  if (!models.some((m) => m.model === st.model)) st.model = models[0].model;

  const indicator = el("ol", { class: "steps", "aria-label": "Steps" });
  const heading = el("h2", { id: "step-title", tabindex: "-1" });
  const body = el("div", { class: "step-body" });
  const back = el("button", { type: "button", class: "secondary", id: "wiz-back", onclick: () => go(st.step - 1) }, "Back");
  const next = el("button", { type: "submit", class: "primary", id: "wiz-next" }, "Next");
  const form = el("form", { class: "card wizard", "aria-labelledby": "step-title", novalidate: true, onsubmit: (e) => { e.preventDefault(); onNext(); } },
    heading, body, el("div", { class: "wiz-nav" }, back, next));
  mount(ctx.main, el("h1", {}, agent === ctx.claims.sub ? "New coaching plan" : `New coaching plan for ${nameOf(agent)}`), indicator, form);

  async function loadInquiries() {
    const p = await api.get(`${A}/performance${q({ model: st.model, range: "3m" })}`);
    st.inquiries = p.inquiries;
    if (!st.inquiries.some((i) => i.inquiry === st.inquiry)) {
      st.inquiry = (p.work_on[0] || p.inquiries[0] || {}).inquiry || "";
      st.metric = ctx.query.get("metric") && st.inquiry === ctx.query.get("inquiry") ? ctx.query.get("metric") : "";
    }
  }
  async function loadDetail() {
    st.detail = null;
    st.worst = null;
    if (!st.inquiry) return;
    const w = startWindow();
    st.detail = await api.get(`${A}/inquiries/${encodeURIComponent(st.inquiry)}${q({ model: st.model, from: w.from.toISOString(), to: w.to.toISOString() })}`);
    const have = modelMetrics(st.detail);
    if (!have.includes(st.metric)) st.metric = have.includes(st.detail.recommended_metric) ? st.detail.recommended_metric : have[0];
  }
  const startValue = () => (st.detail && st.detail[st.metric] ? st.detail[st.metric].value : null);
  const duplicate = () => st.existing.find((p) => p.model === st.model && p.inquiry === st.inquiry && p.metric === st.metric);

  // clientErrors mirrors the server's rules for the fields of step i.
  function clientErrors(i) {
    const e = {};
    const f = STEPS[i].fields;
    if (f.includes("inquiry")) {
      if (!st.inquiry) e.inquiry = "Choose an inquiry.";
      else if (startValue() === null) e.inquiry = "You have no interactions on this inquiry with this metric in the last 3 months: there is nothing to start from.";
    }
    if (f.includes("metric") && duplicate()) {
      const d = duplicate();
      e.metric = `There is already a plan in progress on this inquiry for ${metricName(st.metric)} (target date ${fmtDay(d.target_date)}). Finish or cancel it first, or choose another metric.`;
    }
    if (f.includes("improvement_pct")) { const m = checkPct(st.pct); if (m) e.improvement_pct = m; }
    if (f.includes("target_date")) { const c = checkDate(st.date); if (c.error) e.target_date = c.error; }
    if (f.includes("actions")) {
      const n = st.actions.length;
      if (n < 1 || n > RULES.maxEntries) e.actions = "Add 1 to 3 actions.";
      st.actions.forEach((a, j) => {
        const t = a.trim();
        if (!t) e[`actions[${j}]`] = `Action ${j + 1} is empty: write it or remove it.`;
        else if ([...t].length > RULES.maxAction) e[`actions[${j}]`] = `Action ${j + 1} is longer than ${RULES.maxAction} characters.`;
      });
    }
    if (f.includes("assistance")) {
      const n = assistance().length;
      if (n < 1 || n > RULES.maxEntries) e.assistance = `Choose or write 1 to 3 asks for help (now ${n}).`;
      st.free.forEach((a, j) => {
        if (!a.trim()) e[`free[${j}]`] = "This request is empty: write it or remove it.";
        else if ([...a.trim()].length > RULES.maxAssistance) e[`free[${j}]`] = `Longer than ${RULES.maxAssistance} characters.`;
      });
    }
    return e;
  }
  function assistance() {
    return [...st.catalog.filter((c) => st.picked.has(c)), ...st.free];
  }

  // fieldError is the message slot next to a field; input gets
  // aria-describedby and aria-invalid when there is a message.
  function fieldError(key, input) {
    const id = "err-" + key.replace(/[^a-z0-9_]/gi, "-");
    const msg = st.server[key] || st.errors[key] || "";
    if (input) {
      input.setAttribute("aria-describedby", [input.getAttribute("aria-describedby"), id].filter(Boolean).join(" "));
      if (msg) input.setAttribute("aria-invalid", "true");
    }
    return el("p", { id, class: "field-error", "data-field": key, role: msg ? "alert" : null }, msg);
  }

  function drawIndicator() {
    mount(indicator, STEPS.map((s, i) => {
      const bad = [...Object.keys(st.errors), ...Object.keys(st.server)].some((f) => stepOf(f.replace(/^free/, "assistance")) === i && STEPS[i].fields.length);
      const label = `${i + 1}. ${s.title}`;
      const inner = i < st.step
        ? el("button", { type: "button", class: "link", onclick: () => go(i) }, label)
        : el("span", {}, label);
      return el("li", { class: i === st.step ? "current" : i < st.step ? "done" : "", "aria-current": i === st.step ? "step" : null },
        inner, bad ? el("span", { class: "sr-only" }, " (has a problem)") : null, bad ? el("span", { class: "step-bad", "aria-hidden": "true" }, " !") : null);
    }));
  }

  async function go(i, focusField) {
    st.step = Math.max(0, Math.min(STEPS.length - 1, i));
    st.conflict = "";
    await draw();
    const target = focusField && body.querySelector(`[data-field="${CSS.escape(focusField)}"]`);
    heading.focus();
    if (target) target.scrollIntoView({ block: "center" });
  }

  async function onNext() {
    if (st.step === STEPS.length - 1) return commit();
    const errs = clientErrors(st.step);
    // the client's own checks: shown next to the field; the step's
    // required choices (an inquiry to start from, an empty action) keep
    // you on the step, a rule the server judges (percent, date) does not.
    for (const f of STEPS[st.step].fields) for (const k of Object.keys(st.errors)) if (k === f || k.startsWith(f + "[") || (f === "assistance" && k.startsWith("free["))) delete st.errors[k];
    Object.assign(st.errors, errs);
    for (const f of STEPS[st.step].fields) for (const k of Object.keys(st.server)) if (k === f || k.startsWith(f + "[") || (f === "assistance" && k.startsWith("free["))) delete st.server[k];
    // Every rule of the step blocks Next: the message next to the field
    // says what to change.
    if (Object.keys(errs).length) {
      await draw();
      const first = body.querySelector("[aria-invalid=true]");
      if (first) first.focus();
      return;
    }
    await go(st.step + 1);
  }

  async function commit() {
    if (st.busy) return;
    st.busy = true;
    next.disabled = true;
    st.sentAssist = [...st.catalog.filter((c) => st.picked.has(c)).map((c) => ({ kind: "catalog", key: c })), ...st.free.map((_, j) => ({ kind: "free", key: j }))];
    const body = {
      model: st.model, inquiry: st.inquiry, metric: st.metric, improvement_pct: st.pct, target_date: st.date,
      actions: st.actions.map((a) => a.trim()), assistance: assistance().map((a) => a.trim()),
    };
    try {
      const p = await api.post(`${A}/plans`, body);
      ctx.navigate(`#/plans/${encodeURIComponent(p.id)}`);
    } catch (err) {
      st.busy = false;
      next.disabled = false;
      if (err instanceof ApiError && err.status === 409 && err.planId) {
        st.commitError = "";
        st.conflict = err.planId;
        await draw();
        return;
      }
      if (!(err instanceof ApiError) || err.status !== 400) {
        st.commitError = err.message;
        await draw();
        return;
      }
      st.commitError = "";
      st.server = {};
      const list = err.errors.length ? err.errors : [{ field: err.field, error: err.message }];
      for (const e of list) {
        let key = e.field || "";
        if (!key) { st.commitError = e.error; continue; }
        const m = /^assistance\[(\d+)\]$/.exec(key);
        if (m && st.sentAssist[+m[1]]) {
          const s = st.sentAssist[+m[1]];
          key = s.kind === "free" ? `free[${s.key}]` : "assistance";
        }
        st.server[key] = st.server[key] ? st.server[key] + " " + e.error : e.error;
      }
      const firstField = list[0].field || "";
      await go(stepOf(firstField), firstField);
    }
  }

  async function draw() {
    drawIndicator();
    const s = STEPS[st.step];
    heading.textContent = `Step ${st.step + 1} of ${STEPS.length}: ${s.title}`;
    back.hidden = st.step === 0;
    next.textContent = st.step === STEPS.length - 1 ? "I commit to this plan!" : "Next";
    next.id = st.step === STEPS.length - 1 ? "wiz-commit" : "wiz-next";
    mount(body, await STEP_VIEWS[s.id](), st.commitError ? errorBox(st.commitError) : null,
      st.conflict ? el("div", { class: "error", role: "alert", id: "plan-conflict" }, "There is already a plan in progress on this inquiry for this metric. ",
        el("a", { href: `#/plans/${encodeURIComponent(st.conflict)}` }, "Open that plan"), " to follow it, or cancel it before making another.") : null);
  }

  const live = (fn) => (e) => { fn(e.target); refreshLive(); };
  let refreshLive = () => {};

  const STEP_VIEWS = {
    async pick() {
      const wrap = el("div", {});
      const modelSel = el("select", { id: "model", name: "model", onchange: async (e) => { st.model = e.target.value; await reload(true); } },
        st.models.map((m) => el("option", { value: m.model, selected: m.model === st.model }, `${channel(m.model)} (${fmtNumber(m.volume)} interactions)`)));
      const inqSel = el("select", { id: "inquiry", name: "inquiry", onchange: async (e) => { st.inquiry = e.target.value; await reload(false); } },
        st.inquiries.map((i) => el("option", { value: i.inquiry, selected: i.inquiry === st.inquiry }, `${inquiryName(i.inquiry)} (${fmtNumber(i.volume)})`)));
      const have = modelMetrics(st.detail);
      const rec = st.detail && st.detail.recommended_metric;
      const metricSel = el("select", { id: "metric", name: "metric", onchange: (e) => { st.metric = e.target.value; st.worst = null; for (const k of ["metric", "inquiry"]) { delete st.errors[k]; delete st.server[k]; } draw(); } },
        have.map((m) => el("option", { value: m, selected: m === st.metric }, `${METRICS[m].long} (${METRICS[m].name})${m === rec ? " — recommended" : ""}`)));
      const sv = startValue();
      async function reload(models) {
        try {
          if (models) await loadInquiries();
          await loadDetail();
          for (const k of ["model", "inquiry", "metric"]) { delete st.errors[k]; delete st.server[k]; }
        } catch (err) {
          st.errors.inquiry = err.message;
        }
        draw();
      }
      mount(wrap,
        el("div", { class: "field" }, el("label", { for: "model" }, "Channel"), modelSel, fieldError("model", modelSel)),
        el("div", { class: "field" }, el("label", { for: "inquiry" }, "Inquiry"), inqSel, fieldError("inquiry", inqSel)),
        el("div", { class: "field" }, el("label", { for: "metric" }, "Metric to improve"), metricSel,
          el("p", { class: "help", id: "metric-help" }, rec ? `We recommend ${metricName(rec)}: it is where you can gain the most on this inquiry.` : ""),
          fieldError("metric", metricSel),
          duplicate() ? el("p", { class: "help" }, el("a", { href: `#/plans/${encodeURIComponent(duplicate().id)}`, id: "existing-plan" }, "Open the plan in progress")) : null),
        el("p", { class: "start-line" }, "Your ", el("strong", {}, metricName(st.metric)), " on this inquiry over the last 3 months: ",
          el("strong", { id: "start-value" }, fmtMetric(st.metric, sv)),
          st.detail && st.detail[st.metric] ? ` (${fmtNumber(st.detail.volume)} interactions)` : ""));
      metricSel.setAttribute("aria-describedby", "metric-help " + (metricSel.getAttribute("aria-describedby") || ""));
      return wrap;
    },

    target() {
      const sv = startValue();
      const out = el("strong", { id: "target-value" });
      const num = el("input", { id: "improvement_pct", name: "improvement_pct", type: "number", min: RULES.minPct, max: RULES.maxPct, step: 1, value: st.pct, inputmode: "numeric", "aria-describedby": "pct-help" });
      const range = el("input", { id: "improvement_range", type: "range", min: RULES.minPct, max: RULES.maxPct, step: 1, value: Math.min(RULES.maxPct, Math.max(RULES.minPct, st.pct || RULES.minPct)), "aria-label": "Target improvement, slider", tabindex: "-1" });
      const err = fieldError("improvement_pct", num);
      refreshLive = () => {
        const t = target(st.metric, sv, st.pct);
        out.textContent = t === null ? "—" : fmtMetric(st.metric, t);
        const m = checkPct(st.pct);
        if (m) st.errors.improvement_pct = m; else delete st.errors.improvement_pct;
        const shown = st.server.improvement_pct || m;
        err.textContent = shown;
        if (shown) num.setAttribute("aria-invalid", "true"); else num.removeAttribute("aria-invalid");
      };
      const changed = () => { delete st.server.improvement_pct; };
      num.addEventListener("input", live((t) => { changed(); st.pct = t.value === "" ? NaN : Number(t.value); if (Number.isFinite(st.pct)) range.value = st.pct; }));
      range.addEventListener("input", live((t) => { changed(); st.pct = Number(t.value); num.value = t.value; }));
      const wrap = el("div", {},
        el("div", { class: "field" }, el("label", { for: "improvement_pct" }, "Target improvement (%)"),
          el("div", { class: "pct-row" }, num, range),
          el("p", { id: "pct-help", class: "help" }, `Between ${RULES.minPct} % and ${RULES.maxPct} %. ${METRICS[st.metric].lower ? "Lower is better" : "Higher is better"} for ${metricName(st.metric)}.`),
          err),
        el("dl", { class: "figures", "aria-live": "polite" },
          el("div", {}, el("dt", {}, "Start (your last 3 months)"), el("dd", { id: "start-value" }, fmtMetric(st.metric, sv))),
          el("div", {}, el("dt", {}, "Target"), el("dd", {}, out))));
      refreshLive();
      return wrap;
    },

    date() {
      const input = el("input", { id: "target_date", name: "target_date", type: "date", value: st.date, min: ymd(addDays(todayUTC(), 1)), "aria-describedby": "date-help date-warning" });
      const warn = el("p", { id: "date-warning", class: "warning", role: "status" });
      const err = fieldError("target_date", input);
      const check = () => {
        const c = checkDate(st.date);
        warn.textContent = c.warning ? "Advice: " + c.warning : "";
        warn.hidden = !c.warning;
        if (c.error) st.errors.target_date = c.error; else delete st.errors.target_date;
        const shown = st.server.target_date || c.error || "";
        err.textContent = shown;
        if (shown) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
      };
      const onChange = () => { if (input.value !== st.date) delete st.server.target_date; st.date = input.value; check(); };
      input.addEventListener("input", onChange);
      input.addEventListener("change", onChange);
      check();
      return el("div", { class: "field" }, el("label", { for: "target_date" }, "Target date"), input,
        el("p", { id: "date-help", class: "help" }, "We advise between 2 weeks and 3 months from today. The plan ends on this date as achieved or missed."), warn, err);
    },

    async review() {
      if (!st.worst) {
        try {
          const r = await api.get(`${A}/inquiries/${encodeURIComponent(st.inquiry)}/interactions${q({ model: st.model, metric: st.metric, worst: "true", limit: 10 })}`);
          st.worst = r.interactions;
        } catch (err) {
          return errorBox(err);
        }
      }
      if (!st.worst.length) return el("p", {}, "No interactions to review.");
      return el("div", {},
        el("p", { class: "help" }, `Your ${st.worst.length} poorest interactions on ${inquiryName(st.inquiry)} by ${metricName(st.metric)}, poorest first. Open one to see its details.`),
        el("ol", { class: "review" }, st.worst.map((it) => el("li", {}, el("details", {},
          el("summary", {}, [`${fmtDate(it.ended_at)} · handled in ${fmtDuration(it.handle_time_s)}`,
            it.predicted_satisfaction != null ? ` · satisfaction ${fmtMetric("psat", it.predicted_satisfaction)}` : "",
            it.predicted_resolution != null ? ` · resolution ${fmtMetric("pres", it.predicted_resolution)}` : ""].join("").replace(/ (%|UTC)/g, "\u00a0$1")),
          el("dl", { class: "kv" },
            [["Interaction", it.interaction_id], ["Started", fmtDate(it.started_at)], ["Ended", fmtDate(it.ended_at)], ["Handle time", fmtDuration(it.handle_time_s)],
              ["Predicted satisfaction", it.predicted_satisfaction != null ? fmtMetric("psat", it.predicted_satisfaction) : "—"],
              ["Predicted resolution", it.predicted_resolution != null ? fmtMetric("pres", it.predicted_resolution) : "—"],
              ["Team", teamName(it.team_id)]].map(([k, v]) => el("div", {}, el("dt", {}, k), el("dd", {}, v)))))))));
    },

    actions() {
      const list = el("ol", { class: "entries" }, st.actions.map((a, j) => {
        const id = `action-${j}`;
        const input = el("input", { id, name: id, type: "text", value: a, maxlength: RULES.maxAction, "data-field": `actions[${j}]`, oninput: (e) => { st.actions[j] = e.target.value; } });
        return el("li", {}, el("label", { for: id }, `Action ${j + 1}`),
          el("div", { class: "entry-row" }, input,
            st.actions.length > 1 ? el("button", { type: "button", class: "secondary", onclick: () => { st.actions.splice(j, 1); clearIdx("actions"); draw(); } }, "Remove", el("span", { class: "sr-only" }, ` action ${j + 1}`)) : null),
          fieldError(`actions[${j}]`, input));
      }));
      return el("div", {},
        el("p", { class: "help" }, "1 to 3 things you will do, in your own words (for example: “Use the billing checklist before transferring”)."),
        list, fieldError("actions"),
        st.actions.length < RULES.maxEntries ? el("button", { type: "button", class: "secondary", id: "add-action", onclick: () => { st.actions.push(""); draw().then(() => body.querySelector(`#action-${st.actions.length - 1}`).focus()); } }, "Add an action") : null);
    },

    help() {
      const total = () => assistance().length;
      const counter = el("p", { class: "help", id: "help-count", "aria-live": "polite" });
      const setCount = () => { counter.textContent = `${total()} of at most 3 chosen.`; };
      const fs = el("fieldset", { class: "catalog" }, el("legend", {}, "From your team's catalogue"),
        st.catalog.map((c, j) => {
          const id = `cat-${j}`;
          return el("div", { class: "check" },
            el("input", { type: "checkbox", id, value: c, checked: st.picked.has(c), onchange: (e) => { if (e.target.checked) st.picked.add(c); else st.picked.delete(c); setCount(); } }),
            el("label", { for: id }, c));
        }));
      const free = el("ol", { class: "entries" }, st.free.map((a, j) => {
        const id = `free-${j}`;
        const input = el("input", { id, type: "text", value: a, maxlength: RULES.maxAssistance, "data-field": `free[${j}]`, oninput: (e) => { st.free[j] = e.target.value; } });
        return el("li", {}, el("label", { for: id }, `Other request ${j + 1}`),
          el("div", { class: "entry-row" }, input,
            el("button", { type: "button", class: "secondary", onclick: () => { st.free.splice(j, 1); clearIdx("free"); draw(); } }, "Remove", el("span", { class: "sr-only" }, ` request ${j + 1}`))),
          fieldError(`free[${j}]`, input));
      }));
      setCount();
      return el("div", {},
        el("p", { class: "help" }, "Ask for 1 to 3 kinds of help: tick them in the catalogue or write your own."),
        fs, free,
        el("button", { type: "button", class: "secondary", id: "add-free", onclick: () => { st.free.push(""); draw().then(() => body.querySelector(`#free-${st.free.length - 1}`).focus()); } }, "Write another request"),
        counter, el("div", { "data-field": "assistance" }, fieldError("assistance")));
    },

    summary() {
      const sv = startValue();
      const d = checkDate(st.date);
      const problems = Object.entries({ ...st.errors, ...st.server });
      return el("div", {},
        el("dl", { class: "kv summary" },
          [["Channel", channel(st.model)], ["Inquiry", inquiryName(st.inquiry)], ["Metric", `${METRICS[st.metric].long} (${metricName(st.metric)})`],
            ["Start (last 3 months)", fmtMetric(st.metric, sv)], ["Improvement", `${st.pct} %`],
            ["Target", fmtMetric(st.metric, target(st.metric, sv, st.pct))], ["Target date", fmtDay(st.date) + (d.warning ? " (outside the advised 2 weeks to 3 months)" : "")],
          ].map(([k, v]) => el("div", {}, el("dt", {}, k), el("dd", {}, v))),
          el("div", {}, el("dt", {}, "Actions"), el("dd", {}, el("ul", {}, st.actions.map((a) => el("li", {}, a))))),
          el("div", {}, el("dt", {}, "Asks for help"), el("dd", {}, el("ul", {}, assistance().map((a) => el("li", {}, a)))))),
        problems.length ? el("div", { class: "warning", role: "status" }, el("p", {}, "The server will check these before it accepts the plan:"),
          el("ul", {}, problems.map(([k, v]) => el("li", {}, el("button", { type: "button", class: "link", onclick: () => go(stepOf(k.replace(/^free/, "assistance")), k) }, `${STEPS[stepOf(k.replace(/^free/, "assistance"))].title}: ${v}`))))) : null,
        el("p", {}, "When you commit, the plan is in progress: Now counts only your interactions on this inquiry from then on (up to your last 20); until the first one, your Start is shown as the baseline."));
    },
  };

  function clearIdx(prefix) {
    for (const m of [st.errors, st.server]) for (const k of Object.keys(m)) if (k.startsWith(prefix + "[") || (prefix === "free" && k.startsWith("assistance["))) delete m[k];
  }

  try {
    await loadInquiries();
    await loadDetail();
  } catch (err) {
    st.errors.inquiry = err.message;
  }
  await draw();
  if (Object.keys(st.errors).length === 0) heading.focus();
}
