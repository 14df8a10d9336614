// pages/agent.js: an agent's home (#/agent/:agent?model=&range=|from=&to=
// &sort=&order=). The agent sees their own; supervisors and admins open it
// for one of their agents and also see who each top agent is.
//
// - a model picker (only models with data: GET /v1/agents/{a}/models);
// - range presets (3 months by default, month, week, 24 h) and a custom
//   range of two dates, the server's errors shown next to the field;
// - the overall figures, the three top performing inquiries and the three
//   to work on (cards with the agent's, the team's and the top agent's AES
//   and the label), and every inquiry in a table ranked by volume and
//   sortable by each metric. Sorting is done by the API (sort/order), so
//   the order is the server's documented one (ties by inquiry name,
//   missing values last).
// - live: on a score message of the agent:{id} channel for the shown model
//   the figures are fetched again (debounced) and redrawn in place; focus
//   and scroll are kept. State lives in the hash query: reload and Back
//   show the same view.
import { api, q } from "../api.js";
import { live } from "../live.js";
import { el, mount, METRICS, fmtMetric, fmtNumber, fmtImpact, impactWords, labelBadge, basisNote, errorBox, EXPLAIN, channel, inquiryName } from "../ui.js";
import { PRESETS, readState, hashQuery, apiRange, rangeText, keepFocus, debounce, clock } from "./agentstate.js";
import { trendCard } from "./trend-chart.js";
import { nameOf } from "../names.js";

const enc = encodeURIComponent;

export async function render(ctx) {
  const agent = ctx.params.agent;
  const own = ctx.claims.role === "agent" && ctx.claims.sub === agent;
  const showTop = ctx.claims.role !== "agent";
  const title = own ? "My performance" : `Performance of ${nameOf(agent)}`;
  // The heading of every state of the page: the id never breaks at its hyphen.
  const heading = () => el("h1", {}, own ? title : ["Performance of ", el("span", { class: "id" }, nameOf(agent))]);
  let models;
  try {
    ({ models } = await api.get(`/v1/agents/${enc(agent)}/models`));
  } catch (err) {
    mount(ctx.main, heading(), errorBox(err));
    return;
  }
  if (!models.length) {
    mount(ctx.main, heading(), el("p", { class: "muted" }, own ? "You have no interactions yet. Your figures appear here within a second of your first finished contact." : `No interactions of ${agent} yet: figures appear within a second of their first finished contact.`));
    return;
  }
  const state = readState(ctx.query);
  if (!models.some((m) => m.model === state.model)) state.model = models[0].model;

  // push records the state in the hash without leaving the page (Back
  // comes back to it through the router).
  const push = () => {
    const h = `#/agent/${enc(agent)}${hashQuery(state)}`;
    if (location.hash !== h) history.pushState(null, "", h);
  };

  // Controls: model, range presets, custom range.
  const modelSel = el("select", { id: "model", "data-key": "model", onchange: () => { state.model = modelSel.value; push(); refresh(); } },
    models.map((m) => el("option", { value: m.model, selected: m.model === state.model }, `${channel(m.model)} (${fmtNumber(m.volume)})`)));
  const presetBtns = PRESETS.map(([p, text]) => el("button", {
    type: "button", class: "preset", "data-range": p, "data-key": "range-" + p,
    onclick: () => { state.range = p; state.from = ""; state.to = ""; fromIn.value = ""; toIn.value = ""; push(); refresh(); },
  }, text));
  const fromErr = el("p", { id: "from-error", class: "field-error", role: "alert" });
  const toErr = el("p", { id: "to-error", class: "field-error", role: "alert" });
  const fromIn = el("input", { type: "date", id: "from", name: "from", value: state.from, "aria-describedby": "from-error" });
  const toIn = el("input", { type: "date", id: "to", name: "to", value: state.to, "aria-describedby": "to-error" });
  const custom = el("form", {
    class: "custom-range", "aria-label": "Custom range",
    onsubmit: (e) => {
      e.preventDefault();
      state.from = fromIn.value;
      state.to = toIn.value;
      state.range = "";
      if (!state.from && !state.to) state.range = "3m";
      push();
      refresh();
    },
  },
  el("div", {}, el("label", { for: "from" }, "From"), fromIn, fromErr),
  el("div", {}, el("label", { for: "to" }, "To (included)"), toIn, toErr),
  el("div", {}, el("button", { type: "submit", class: "secondary", "data-key": "apply" }, "Show range")));

  const rangeLine = el("p", { class: "muted range-line" });
  const updated = el("p", { class: "muted updated", id: "updated" });
  const overall = el("section", { class: "overall", "aria-labelledby": "overall-title" });
  const cards = el("div", { class: "inq-lists" });
  // The trend follows the model picker (its own weekly/daily points).
  const trendBox = el("div", {});
  let trendModel = "";
  const drawTrend = () => {
    if (trendModel === state.model) return;
    trendModel = state.model;
    mount(trendBox, trendCard({ agent, model: state.model, inquiry: "", own, onCleanup: ctx.onCleanup }));
  };
  const table = el("div", { class: "table-wrap", id: "inquiries" });
  const problem = el("div", {});

  // A team leader or an admin goes on from here to the agent's plans or
  // a new plan for them (the wizard, for this agent and model).
  const links = own ? null : el("p", { class: "agent-links" },
    el("a", { href: `#/agent/${enc(agent)}/plans`, id: "agent-plans" }, `Coaching plans of ${agent}`),
    el("a", { href: `#/plans/new${q({ agent, model: state.model })}`, id: "agent-new-plan", class: "button primary" }, `New coaching plan for ${agent}`));
  // On a phone the custom range hides behind "Other dates…" so that the
  // figures start on the first screen (CSS; open when a custom range is set).
  const controls = el("div", { class: `controls card${state.from || state.to ? " show-custom" : ""}` },
    el("div", {}, el("label", { for: "model" }, "Channel"), modelSel),
    el("div", { role: "group", "aria-labelledby": "range-title", class: "presets" },
      el("span", { id: "range-title", class: "group-title" }, "Range"), presetBtns,
      el("button", { type: "button", class: "preset custom-toggle", "aria-expanded": String(!!(state.from || state.to)),
        onclick: (e) => { const open = controls.classList.toggle("show-custom"); e.target.setAttribute("aria-expanded", String(open)); } }, "Other dates…")),
    custom);
  mount(ctx.main,
    el("h1", {}, own ? [title, el("span", { class: "muted sub" }, ` ${nameOf(agent)}`)] : ["Performance of ", el("span", { class: "id" }, nameOf(agent))]),
    links,
    controls,
    rangeLine, updated, problem, overall, trendBox, cards,
    el("section", { class: "all-inquiries", "aria-labelledby": "all-title" }, el("h2", { id: "all-title" }, "All inquiries"), table));

  const draw = (p) => {
    const email = noPredictions(p);
    presetBtns.forEach((b) => b.setAttribute("aria-pressed", String(!state.from && !state.to && b.dataset.range === state.range)));
    rangeLine.textContent = `${channel(state.model)} · ${rangeText(p.from, p.to)}`;
    keepFocus(() => {
      drawOverall(overall, p, email);
      drawCards(cards, p, { agent, state, showTop, own });
      drawTable(table, p, { agent, state, email, onSort: sortBy });
    });
  };

  const sortBy = (key) => {
    const cur = state.sort || "volume";
    const curOrder = state.order || defaultOrder(cur);
    if (cur === key) state.order = curOrder === "asc" ? "desc" : "asc";
    else state.order = defaultOrder(key);
    state.sort = key;
    push();
    refresh();
  };

  let seq = 0;
  const refresh = async () => {
    const mine = ++seq;
    fromErr.textContent = "";
    toErr.textContent = "";
    fromIn.removeAttribute("aria-invalid");
    toIn.removeAttribute("aria-invalid");
    try {
      const [p, standing] = await Promise.all([
        api.get(`/v1/agents/${enc(agent)}/performance${q({ model: state.model, ...apiRange(state), sort: state.sort, order: state.order })}`),
        api.get(`/v1/agents/${enc(agent)}/standing${q({ model: state.model, ...apiRange(state) })}`).catch(() => null)]);
      p.standing = standing;
      if (mine !== seq) return;
      if (noPredictions(p) && (state.sort === "psat" || state.sort === "pres")) {
        // This model has no satisfaction or resolution to sort by.
        state.sort = "";
        state.order = "";
        history.replaceState(null, "", `#/agent/${enc(agent)}${hashQuery(state)}`);
        refresh();
        return;
      }
      mount(problem);
      draw(p);
      drawTrend();
      const now = new Date();
      mount(updated, "Updated ", el("time", { datetime: now.toISOString() }, clock(now)));
    } catch (err) {
      if (mine !== seq) return;
      const box = err.field === "from" ? fromErr : err.field === "to" ? toErr : null;
      if (box) {
        box.textContent = err.message;
        (box === fromErr ? fromIn : toIn).setAttribute("aria-invalid", "true");
      } else {
        mount(problem, errorBox(err));
      }
    }
  };

  await refresh();

  const again = debounce(refresh, 300);
  ctx.onCleanup(() => again.cancel());
  ctx.onCleanup(live.subscribe(`agent:${agent}`, (m) => {
    if (m.type === "score" && m.data && m.data.model === state.model) again();
  }));
}

// noPredictions is true for a model without satisfaction and resolution
// predictions (email): no such figure anywhere.
function noPredictions(p) {
  return !p.inquiries.some((i) => i.psat || i.pres) && (p.overall.psat === null || p.overall.psat === undefined);
}

// defaultOrder is the API's default order of a sort key: best first
// (lower AES and AHT, higher satisfaction and resolution, more volume).
function defaultOrder(key) {
  return key === "aes" || key === "aht" ? "asc" : "desc";
}

function drawOverall(node, p, email) {
  const o = p.overall;
  const figs = [["Volume", fmtNumber(o.volume), "volume"], ["AES", fmtMetric("aes", o.aes), "aes"], ["AHT", fmtMetric("aht", o.aht), "aht"]];
  if (!email) figs.push(["Satisfaction", fmtMetric("psat", o.psat), "psat"], ["Resolution", fmtMetric("pres", o.pres), "pres"]);
  const note = (k) => basisNote(k, o[k + "_basis"], o[k + "_labels"]);
  mount(node,
    el("h2", { id: "overall-title" }, "Overall"),
    standingLine(p.standing, p.model),
    el("p", { class: "help explain", id: "aes-help" }, EXPLAIN.aes),
    el("dl", { class: "agent-figures" }, figs.map(([name, v, k]) =>
      el("div", { class: "figure", "data-figure": k }, el("dt", {}, name), el("dd", {}, v, note(k) ? [" ", note(k)] : null)))));
}

// standingLine is the overall label and where the agent stands among all
// agents of the channel (GET /v1/agents/{a}/standing).
function standingLine(s, model) {
  if (!s) return null;
  if (!s.label) return el("p", { class: "standing", id: "standing" }, labelBadge(null), " ",
    el("span", { class: "muted" }, `Too few interactions to rank yet (${fmtNumber(s.volume)}).`));
  return el("p", { class: "standing", id: "standing" }, labelBadge(s.label), " ",
    el("strong", {}, `Better than ${Math.round(s.better_than_pct)} % of agents`),
    el("span", { class: "muted" }, ` on ${channel(model)}: rank ${fmtNumber(s.rank)} of ${fmtNumber(s.population)} by AES.`));
}

function inquiryHref(agent, state, inquiry) {
  return `#/agent/${enc(agent)}/inquiry/${enc(inquiry)}${hashQuery({ ...state, sort: "", order: "" })}`;
}

function drawCards(node, p, opt) {
  const whose = opt.own ? "your" : "the agent's";
  const list = (id, title, items, empty) => el("section", { class: "inq-list", "aria-labelledby": id, "data-list": id },
    el("h2", { id }, title),
    items.length ? el("div", { class: "cards" }, items.map((i) => card(i, opt))) : el("p", { class: "muted" }, empty));
  mount(node,
    list("top-title", opt.own ? "Helps your score most" : "Helps the agent's score most", p.top_inquiries, `No inquiry lowers ${whose} AES yet: keep going, it shows once you beat the other agents on an inquiry.`),
    list("work-title", opt.own ? "Hurts your score most" : "Hurts the agent's score most", p.work_on, `No inquiry raises ${whose} AES: nothing to work on here.`),
    el("p", { class: "help explain", id: "impact-help" }, EXPLAIN.impact));
}

function card(i, { agent, state, showTop, own }) {
  const a = i.aes;
  const top = showTop && i.top_agent ? ` (${i.top_agent})` : "";
  return el("article", { class: "card inq-card", "data-inquiry": i.inquiry },
    el("h3", {}, el("a", { href: inquiryHref(agent, state, i.inquiry), "data-key": "card-" + i.inquiry, title: i.inquiry }, inquiryName(i.inquiry))),
    el("p", { class: "label-line" }, labelBadge(a.label), " ", el("span", { class: "muted" }, `${fmtNumber(i.volume)} interactions`)),
    el("dl", { class: "pairs" },
      el("dt", {}, own ? "Your AES" : "Agent's AES"), el("dd", { class: "aes-you" }, fmtMetric("aes", a.value)),
      el("dt", {}, "Team"), el("dd", { class: "aes-team" }, fmtMetric("aes", a.team)),
      el("dt", {}, "Top performer"), el("dd", { class: "aes-top" }, fmtMetric("aes", a.top), top),
      el("dt", {}, "Impact"), el("dd", { class: "impact" }, fmtImpact(i.impact), el("span", { class: "muted small" }, impactWords(i.impact)))));
}

const COLS = ["volume", "aes", "aht", "psat", "pres"];

function drawTable(node, p, { agent, state, email, onSort }) {
  const cols = email ? COLS.filter((c) => c !== "psat" && c !== "pres") : COLS;
  const sort = state.sort || "volume";
  const order = state.order || defaultOrder(sort);
  const head = (c) => {
    const name = c === "volume" ? "Volume" : METRICS[c].name;
    const on = c === sort;
    return el("th", { scope: "col", "data-col": c, "aria-sort": on ? (order === "asc" ? "ascending" : "descending") : "none" },
      el("button", { type: "button", "data-key": "sort-" + c, "data-sort": c, onclick: () => onSort(c), title: `Sort by ${c === "volume" ? "volume" : METRICS[c].long}` },
        name, el("span", { class: "sort-mark", "aria-hidden": "true" }, on ? (order === "asc" ? " ▲" : " ▼") : " ⇅")));
  };
  const cell = (i, c) => {
    if (c === "volume") return el("td", { "data-metric": c }, fmtNumber(i.volume));
    const f = i[c];
    return el("td", { "data-metric": c },
      el("span", { class: "value" }, fmtMetric(c, f ? f.value : null)), f && f.label ? [" ", labelBadge(f.label)] : null,
      f && f.value !== null && basisNote(c, f.basis, f.labels) ? [" ", basisNote(c, f.basis, f.labels)] : null);
  };
  mount(node, el("table", { class: "data inquiries" },
    el("caption", {}, `Every inquiry of ${nameOf(agent)} on ${channel(state.model)}, ${sortText(sort, order)}`),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Inquiry"), cols.map(head))),
    el("tbody", {}, p.inquiries.map((i) => el("tr", { "data-inquiry": i.inquiry },
      el("th", { scope: "row" }, el("a", { href: inquiryHref(agent, state, i.inquiry), "data-key": "row-" + i.inquiry, title: i.inquiry }, inquiryName(i.inquiry))),
      cols.map((c) => cell(i, c)))))));
}

function sortText(sort, order) {
  const name = sort === "volume" ? "volume" : METRICS[sort] ? METRICS[sort].name : sort;
  return `by ${name}, ${order === "asc" ? "lowest" : "highest"} first`;
}
