// pages/plan-util.js: what the coaching-plan pages share: the plan rules
// the client mirrors (DESIGN.md §1; the server is the judge), the target
// formula, dates in UTC and how a plan's status and on-track read.
import { el, METRICS } from "../ui.js";

export const RULES = { minPct: 5, maxPct: 50, maxEntries: 3, maxAction: 500, maxAssistance: 200, warnSoonerDays: 14, warnLaterMonths: 3 };

// target is the derived target score: lower-is-better start × (1 − p),
// higher-is-better min(1, start × (1 + p)) (views.PlanTarget).
export function target(metric, start, pct) {
  if (start === null || start === undefined || !Number.isFinite(pct)) return null;
  return METRICS[metric].lower ? start * (1 - pct / 100) : Math.min(1, start * (1 + pct / 100));
}

// ymd formats a Date as its UTC civil date YYYY-MM-DD.
export function ymd(d) {
  return d.toISOString().slice(0, 10);
}

// todayUTC is midnight UTC of today.
export function todayUTC(now = new Date()) {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

// addDays and addMonths work like Go's time.AddDate on UTC dates.
export function addDays(d, n) {
  const c = new Date(d.getTime());
  c.setUTCDate(c.getUTCDate() + n);
  return c;
}
export function addMonths(d, n) {
  const c = new Date(d.getTime());
  c.setUTCMonth(c.getUTCMonth() + n);
  return c;
}

// startWindow is views.StartWindow of now: the 3 months before the next
// whole hour, the range Start is computed over.
export function startWindow(now = new Date()) {
  const to = new Date(Math.ceil(now.getTime() / 3600e3) * 3600e3);
  return { from: addMonths(to, -3), to };
}

// checkDate returns {error} or {warning} (or {}) for a target date string,
// as the server will (views.checkTargetDate).
export function checkDate(s, now = new Date()) {
  if (!s) return { error: "Choose a target date." };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s) || Number.isNaN(Date.parse(s + "T00:00:00Z"))) return { error: "Give the date as YYYY-MM-DD." };
  const d = new Date(s + "T00:00:00Z"), today = todayUTC(now);
  if (d <= today) return { error: `The target date must be after today (${ymd(today)}): choose a day in the future, 2 weeks to 3 months away is best.` };
  if (d < addDays(today, RULES.warnSoonerDays)) return { warning: "This is less than 2 weeks away: there may be too few interactions to show progress. We advise between 2 weeks and 3 months." };
  if (d > addMonths(today, RULES.warnLaterMonths)) return { warning: "This is more than 3 months away: a nearer target keeps the plan focused. We advise between 2 weeks and 3 months." };
  return {};
}

// checkPct returns an error message for an improvement, or "".
export function checkPct(p) {
  if (!Number.isFinite(p)) return "Type the improvement as a number of percent, such as 10.";
  if (p < RULES.minPct) return `The improvement must be between ${RULES.minPct} % and ${RULES.maxPct} %: below ${RULES.minPct} % a change is hard to tell from an ordinary week.`;
  if (p > RULES.maxPct) return `The improvement must be between ${RULES.minPct} % and ${RULES.maxPct} %: more than ${RULES.maxPct} % is rarely reached; choose a smaller step now and a new plan later.`;
  return "";
}

const STATUS = { in_progress: "In progress", achieved: "Achieved", missed: "Missed", cancelled: "Cancelled" };

// statusBadge shows a plan status as text (with a colour).
export function statusBadge(s) {
  const cls = { in_progress: "good", achieved: "great", missed: "needs_work", cancelled: "none" }[s] || "none";
  return el("span", { class: `badge badge-${cls}` }, STATUS[s] || s);
}

// onTrackBadge says whether Now meets the target (in progress only).
export function onTrackBadge(p) {
  if (p.status !== "in_progress") return el("span", { class: "muted" }, "—");
  if (p.now_value === null || p.now_value === undefined) return el("span", { class: "badge badge-none" }, "Too early to tell");
  return p.on_track
    ? el("span", { class: "badge badge-great" }, "✓ On track")
    : el("span", { class: "badge badge-needs_work" }, "Not yet");
}

export function metricName(m) {
  return METRICS[m] ? METRICS[m].name : m;
}

// modelMetrics lists the metrics an inquiry detail has (email: no psat,
// no pres).
export function modelMetrics(detail) {
  return Object.keys(METRICS).filter((m) => detail && detail[m]);
}

// planTitle names a plan by its metric and improvement: "AHT −10 %",
// "Satisfaction +5 %".
export function planTitle(p) { // the inquiry follows as "on <inquiry>"
  return `${metricName(p.metric)} ${METRICS[p.metric] && METRICS[p.metric].lower ? "−" : "+"}${p.improvement_pct} %`;
}
