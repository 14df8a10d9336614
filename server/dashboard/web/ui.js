// ui.js: small DOM helpers shared by every page. No framework: el()
// builds elements, the formatters say numbers the way a contact center
// reads them, and labelBadge shows a quartile label with text and colour
// (never colour alone).
import { labelOf } from "./names.js";

// el(tag, attrs, ...children): attrs keys starting with "on" are event
// listeners; "class", "for", "aria-*", "data-*" and the rest are
// attributes; children are nodes or strings (text, never HTML).
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") e.addEventListener(k.slice(2), v);
    else if (k === "value") e.value = v;
    else if (k === "checked") e.checked = !!v;
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// clear empties a node and appends children.
export function mount(node, ...children) {
  node.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

export const METRICS = {
  aes: { name: "AES", long: "Agent Effectiveness Score", lower: true, unit: "s" },
  aht: { name: "AHT", long: "Average handle time", lower: true, unit: "s" },
  psat: { name: "Satisfaction", long: "Predicted satisfaction", lower: false, unit: "%" },
  pres: { name: "Resolution", long: "Predicted resolution", lower: false, unit: "%" },
};

// fmtMetric formats a metric value: seconds as "6m 12s" (or "412 s" for
// AES), probabilities as percentages; "—" for null.
export function fmtMetric(metric, v) {
  if (v === null || v === undefined || Number.isNaN(v)) return "—";
  switch (metric) {
    case "psat":
    case "pres":
      return (v * 100).toFixed(1) + " %";
    case "aht":
      return fmtDuration(v);
    default:
      return Math.round(v).toLocaleString("en-US") + " s";
  }
}

// basisNote says where a satisfaction or resolution figure comes from
// when it is learned rather than given by the feed: an estimate, and from
// how many outcome labels (basis and labels of the API). null otherwise.
export function basisNote(metric, basis, labels) {
  if (basis !== "learned" || (metric !== "psat" && metric !== "pres")) return null;
  const n = labels || 0;
  const what = metric === "psat" ? (n === 1 ? "survey" : "surveys") : (n === 1 ? "followed-up contact" : "followed-up contacts");
  const text = n > 0 ? `estimate from ${fmtNumber(n)} ${what}` : `estimate, no ${metric === "psat" ? "surveys" : "followed-up contacts"} yet`;
  return el("span", { class: "basis-note muted", "data-basis": "learned",
    title: "Learned from surveys and repeat contacts: the feed carries no prediction for it" }, text);
}

export function fmtDuration(s) {
  if (s === null || s === undefined) return "—";
  // Rounded to the second first: 659.6 s is "11m 00s", never "10m 60s".
  const t = Math.round(s), m = Math.floor(t / 60), r = t - m * 60;
  return m > 0 ? `${m}m ${String(r).padStart(2, "0")}s` : `${r}s`;
}

export function fmtNumber(n) {
  return n === null || n === undefined ? "—" : Number(n).toLocaleString("en-US");
}

export function fmtImpact(v) {
  if (v === null || v === undefined) return "—";
  return (v > 0 ? "+" : v < 0 ? "−" : "") + Math.abs(v).toFixed(1) + " s";
}

// impactWords says what an impact does to the score: "helps" (negative)
// or "hurts" (positive).
export function impactWords(v) {
  if (v === null || v === undefined || v === 0) return "";
  return v < 0 ? " (helps)" : " (hurts)";
}

// Times are shown in the viewer's time zone (the browser's), in one
// format: "3 Dec 2026, 11:05 CET". Calendar days (a plan's target date, a
// trend's day or week, which are UTC days) read "3 Dec 2026".
export function fmtDate(iso) {
  if (!iso) return "—";
  return new Date(iso).toLocaleString("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" });
}

// fmtDay formats a calendar day given as YYYY-MM-DD or as the instant its
// UTC day starts: "3 Dec 2026" ("3 Dec" when short).
export function fmtDay(s, short = false) {
  if (!s) return "—";
  const d = new Date(s.length === 10 ? s + "T00:00:00Z" : s);
  return d.toLocaleDateString("en-GB", short ? { day: "numeric", month: "short", timeZone: "UTC" } : { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
}

// fmtClock is the time of day in the viewer's time zone: "14:03:05 CET".
export function fmtClock(d) {
  return d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short" });
}

const LABELS = { great: "Great", good: "Good", needs_work: "Needs work" };

// Plain words for the figures, shown once where they appear.
export const EXPLAIN = {
  aes: "AES (Agent Effectiveness Score): seconds of handling per satisfied, resolved contact. Lower is better.",
  impact: "Impact: how many seconds this inquiry adds to (+, hurts) or takes off (−, helps) your overall AES, against how all agents do on it.",
};

// humanize turns an id from the feed into words: "technical_support" →
// "Technical support". Ids stay in links and in the API.
export function humanize(id) {
  if (!id) return "";
  const s = String(id).replace(/[_-]+/g, " ").trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// channel names a model as the channel it is: its display name (#/names),
// else in words: "voice" → "Voice".
export function channel(model) {
  return labelOf("models", model) || humanize(model);
}

// inquiryName is an inquiry's display name (#/names), else the inquiry in
// words: "technical_support" → "Technical support".
export function inquiryName(inquiry) {
  return labelOf("inquiries", inquiry) || humanize(inquiry);
}

// teamName is a team's display name (#/names), else the id in words:
// "team-01" → "Team 01".
export function teamName(team) {
  return labelOf("teams", team) || humanize(team);
}

// labelBadge shows a quartile label as text with its colour; null (below
// the minimum volume) reads "Not ranked".
export function labelBadge(label) {
  if (!label) return el("span", { class: "badge badge-none", title: "Too few interactions to rank" }, "Not ranked");
  return el("span", { class: `badge badge-${label}` }, LABELS[label] || label);
}

// status shows a message in the page's live status line (errors, saves).
export function status(msg, kind = "info") {
  const s = document.getElementById("status");
  if (!s) return;
  s.className = `status status-${kind}`;
  s.textContent = msg || "";
}

// errorBox renders an error for a page body in plain words, with a way
// on: sign in again (401), your home page (403, 404), try again (the
// server or the network failed).
export function errorBox(err) {
  if (err && err.catchingUp) return catchingUpBox(err);
  const status = err && err.status;
  const msg = err && err.message ? err.message : String(err);
  const here = (location.hash || "#/").slice(1);
  const again = el("button", { type: "button", class: "secondary", onclick: () => window.dispatchEvent(new HashChangeEvent("hashchange")) }, "Try again");
  let words, action;
  if (status === 401) {
    words = "Your sign-in has expired or is no longer valid.";
    action = el("a", { class: "button primary", href: "#/signin?next=" + encodeURIComponent(here), id: "sign-in-again" }, "Sign in again");
  } else if (status === 403) {
    words = `You do not have access to this page: ${refusal(err, msg)}.`;
    action = el("a", { href: "#/" }, "Go to your home page");
  } else if (status === 404) {
    words = `Not found: ${lower(msg)}.`;
    action = el("a", { href: "#/" }, "Go to your home page");
  } else if (status === 503) {
    words = "The figures are catching up after a restart; they will be back in a moment.";
    action = again;
  } else if (status >= 500) {
    words = "The server could not answer just now.";
    action = again;
  } else if (!status && /fetch|network/i.test(msg)) {
    words = "agentpulse cannot be reached: check your connection.";
    action = again;
  } else {
    words = msg.charAt(0).toUpperCase() + msg.slice(1) + (/[.!?]$/.test(msg) ? "" : ".");
  }
  return el("div", { class: "error", role: "alert" }, el("p", {}, words), action ? el("p", {}, action) : null);
}

// refusal says a 403's reason in the words of whoever reads it (the
// API's own names its field and rule: "role agent may read only its own
// data").
function refusal(err, msg) {
  if (err.field === "agent") return "as an agent you see only your own figures and plans";
  if (err.field === "team") return "you see only the teams you lead, and this is not one of them";
  if (err.field === "role" && /supervisor or admin/.test(msg)) return "it is for team leaders and admins";
  if (err.field === "role" && /role admin/.test(msg)) return "it is for admins";
  return lower(msg);
}

function lower(s) {
  return String(s).replace(/[.]$/, "");
}

let retryTimer = 0;

function catchingUpBox(err) {
  const secs = Math.min(30, Math.max(1, err.retryAfter || 5));
  const hash = location.hash;
  if (!retryTimer) {
    retryTimer = setTimeout(() => {
      retryTimer = 0;
      // Still on the same page and still waiting: render it again.
      if (location.hash === hash && document.querySelector(".catching-up")) window.dispatchEvent(new HashChangeEvent("hashchange"));
    }, secs * 1000);
  }
  const togo = err.behindRecords ? ` (${fmtNumber(err.behindRecords)} records to go)` : "";
  return el("div", { class: "catching-up", role: "status" },
    el("strong", {}, "Catching up"),
    el("p", {}, `The server is rebuilding the figures from the full history${togo}. They appear here by themselves when complete; partial numbers are never shown.`));
}
