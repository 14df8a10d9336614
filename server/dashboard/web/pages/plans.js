// pages/plans.js: My coaching plans (#/plans for the signed-in agent;
// #/agent/:agent/plans for a supervisor or admin): the plans in progress
// and the finished ones, each with metric, inquiry, Start, Now, target,
// target date, on track and status (in text).
import { api } from "../api.js";
import { el, mount, fmtMetric, fmtNumber, fmtDay, channel, inquiryName } from "../ui.js";
import { statusBadge, onTrackBadge, planTitle } from "./plan-util.js";
import { nameOf } from "../names.js";

function table(caption, plans, id) {
  if (!plans.length) return el("section", { "aria-labelledby": id }, el("h2", { id }, caption), el("p", { class: "muted" }, id === "plans-in-progress" ? "No plan in progress." : "No finished plan yet."));
  return el("section", { "aria-labelledby": id }, el("h2", { id }, caption),
    el("div", { class: "table-wrap" }, el("table", { class: "data plans-table" },
      el("caption", { class: "sr-only" }, caption),
      el("thead", {}, el("tr", {}, ["Plan", "Inquiry", "Start", "Now", "Target", "Target date", "On track", "Status"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, plans.map((p) => el("tr", { "data-plan": p.id },
        el("th", { scope: "row" }, el("a", { href: `#/plans/${encodeURIComponent(p.id)}` }, planTitle(p))),
        el("td", {}, `${inquiryName(p.inquiry)} (${channel(p.model)})`),
        el("td", { "data-col": "start" }, fmtMetric(p.metric, p.start_value)),
        el("td", { "data-col": "now" }, fmtMetric(p.metric, p.now_value), el("span", { class: "muted small" }, p.now_value != null ? ` (${fmtNumber(p.now_volume)} of 20 since the start)` : " (none since the start yet)")),
        el("td", { "data-col": "target" }, fmtMetric(p.metric, p.target_value)),
        el("td", {}, fmtDay(p.target_date)),
        el("td", {}, onTrackBadge(p)),
        el("td", {}, statusBadge(p.status))))))));
}

export async function render(ctx) {
  const agent = ctx.params.agent || ctx.claims.sub;
  const mine = agent === ctx.claims.sub;
  const { plans } = await api.get(`/v1/agents/${encodeURIComponent(agent)}/plans`);
  plans.sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
  const inProgress = plans.filter((p) => p.status === "in_progress");
  const finished = plans.filter((p) => p.status !== "in_progress");
  mount(ctx.main,
    el("div", { class: "page-head" },
      el("h1", {}, mine ? "My coaching plans" : `Coaching plans of ${nameOf(agent)}`),
      mine ? el("a", { class: "button primary", href: "#/plans/new", id: "new-plan" }, "New coaching plan")
        : el("a", { class: "button primary", href: `#/plans/new?agent=${encodeURIComponent(agent)}`, id: "new-plan" }, `New coaching plan for ${agent}`)),
    !plans.length ? el("p", {}, mine ? "You have no coaching plans yet. A plan picks one inquiry and one metric to improve, with your own actions and the help you ask for." : `${agent} has no coaching plans yet. Start one with them: it picks one inquiry and one metric to improve.`) : null,
    table("In progress", inProgress, "plans-in-progress"),
    table("Finished", finished, "plans-finished"));
}
