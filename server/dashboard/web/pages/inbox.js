// pages/inbox.js: the coaching inbox of a team leader or an admin
// (#/inbox): the plans at risk (behind their target with little time
// left: GET /v1/at-risk-plans) and the asks for help of the plans in
// progress of their agents (GET /v1/inbox), those nobody took up first.
// "I'll take this" acknowledges an ask (the agent sees who and when on
// the plan); the conversation is on the plan's page.
import { api } from "../api.js";
import { el, mount, fmtMetric, fmtDate, fmtDay, status, errorBox, channel, inquiryName, teamName } from "../ui.js";
import { planTitle, onTrackBadge, todayUTC } from "./plan-util.js";
import { nameOf } from "../names.js";

const enc = encodeURIComponent;

// daysLeft is how many days remain before a plan's target date (the plan
// ends when that date starts, UTC).
function daysLeft(targetDate) {
  return Math.round((Date.parse(targetDate + "T00:00:00Z") - todayUTC().getTime()) / 864e5);
}

function riskTable(plans) {
  if (!plans.length) return el("p", { class: "muted", id: "no-risk" }, "No plan is at risk: every plan in progress is on track or has time left.");
  return el("div", { class: "table-wrap" }, el("table", { class: "data", id: "at-risk" },
    el("caption", { class: "sr-only" }, "Plans at risk"),
    el("thead", {}, el("tr", {}, ["Agent", "Plan", "Start", "Now", "Target", "Days left", "On track"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, plans.map((p) => el("tr", { "data-plan": p.id },
      el("td", {}, el("a", { href: `#/agent/${enc(p.agent_id)}` }, nameOf(p.agent_id))),
      el("th", { scope: "row" }, el("a", { href: `#/plans/${enc(p.id)}` }, `${planTitle(p)} on ${inquiryName(p.inquiry)}`)),
      el("td", {}, fmtMetric(p.metric, p.start_value)),
      el("td", {}, p.now_value != null ? `${fmtMetric(p.metric, p.now_value)} (${p.now_volume} of 20)` : "none since the start"),
      el("td", {}, fmtMetric(p.metric, p.target_value)),
      el("td", {}, String(daysLeft(p.target_date))),
      el("td", {}, onTrackBadge(p)))))));
}

function askCard(it, onAck) {
  const waiting = !it.help_ack;
  const ack = waiting
    ? el("button", { type: "button", class: "primary", "data-ack": it.plan_id, onclick: (e) => onAck(it, e.target) }, "I'll take this")
    : el("span", { class: "muted" }, `Taken up by ${nameOf(it.help_ack.by)}, ${fmtDate(it.help_ack.at)}`);
  return el("article", { class: `card ask${waiting ? " ask-waiting" : ""}`, "data-ask": it.plan_id },
    el("h3", {}, el("a", { href: `#/agent/${enc(it.agent_id)}` }, nameOf(it.agent_id)), " asks for help with ",
      el("a", { href: `#/plans/${enc(it.plan_id)}` }, `${planTitle(it)} on ${inquiryName(it.inquiry)}`)),
    el("p", { class: "muted small" }, `${channel(it.model)}${it.team_id ? " · " + teamName(it.team_id) : ""} · plan started ${fmtDate(it.created_at)} · target date ${fmtDay(it.target_date)}`),
    el("ul", {}, it.assistance.map((a) => el("li", {}, a))),
    it.last_comment ? el("p", { class: "small" }, el("strong", {}, `${it.last_comment.by}: `), it.last_comment.text,
      el("span", { class: "muted" }, ` (${it.comments} comment${it.comments === 1 ? "" : "s"})`)) : null,
    el("div", { class: "ask-actions" }, ack, el("a", { href: `#/plans/${enc(it.plan_id)}` }, waiting ? "Open the plan" : "Open the plan to reply")));
}

export async function render(ctx) {
  const riskBox = el("div", {});
  const askBox = el("div", { class: "asks", id: "asks" });
  mount(ctx.main, el("h1", {}, "Coaching inbox"),
    el("section", { class: "card", "aria-labelledby": "risk-title" }, el("h2", { id: "risk-title" }, "Plans at risk"),
      el("p", { class: "help" }, "Plans in progress that are behind their target with a week or less, or under a quarter of their time, left."), riskBox),
    el("section", { "aria-labelledby": "asks-title", class: "asks-section" }, el("h2", { id: "asks-title" }, "Asks for help"), askBox));

  async function load() {
    const [risk, inbox] = await Promise.all([api.get("/v1/at-risk-plans"), api.get("/v1/inbox")]);
    mount(riskBox, riskTable(risk.plans));
    mount(askBox, inbox.items.length
      ? inbox.items.map((it) => askCard(it, acknowledge))
      : el("p", { class: "muted", id: "no-asks" }, "No asks for help: when one of your agents asks for help in a coaching plan, it shows here."));
  }

  async function acknowledge(it, btn) {
    btn.disabled = true;
    try {
      await api.post(`/v1/plans/${enc(it.plan_id)}/acknowledge`);
      status(`You took up ${nameOf(it.agent_id)}'s ask for help. They see it on their plan.`);
      window.dispatchEvent(new Event("inbox-changed"));
      await load();
    } catch (err) {
      btn.disabled = false;
      status(`Could not take up the ask: ${err.message}`, "error");
    }
  }

  try {
    await load();
  } catch (err) {
    mount(askBox, errorBox(err));
  }
}
