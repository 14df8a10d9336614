// ui.js: small DOM helpers shared by every page. No framework: el()
// builds elements, the formatters say numbers the way a contact center
// reads them, and labelBadge shows a quartile label with text and colour
// (never colour alone).

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
  const m = Math.floor(s / 60), r = Math.round(s - m * 60);
  return m > 0 ? `${m}m ${String(r).padStart(2, "0")}s` : `${r}s`;
}

export function fmtNumber(n) {
  return n === null || n === undefined ? "—" : Number(n).toLocaleString("en-US");
}

export function fmtImpact(v) {
  if (v === null || v === undefined) return "—";
  return (v > 0 ? "+" : v < 0 ? "−" : "") + Math.abs(v).toFixed(1) + " s";
}

export function fmtDate(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  return d.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }) + " UTC";
}

const LABELS = { great: "Great", good: "Good", needs_work: "Needs work" };

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

// errorBox renders an API error for a page body; while the server is
// catching up with its history (503, catching_up) it says so instead of
// showing numbers, and renders the page again once the server's
// Retry-After has passed.
export function errorBox(err) {
  if (err && err.catchingUp) return catchingUpBox(err);
  return el("div", { class: "error", role: "alert" }, err && err.message ? err.message : String(err));
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
