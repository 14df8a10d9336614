// pages/agentstate.js: what the agent home and the inquiry details keep
// in the location hash (model, range, sort), so a reload or Back shows
// the same view, and the small pieces both pages share (range presets,
// the API's range parameters, keeping focus across a live redraw).
import { q } from "../api.js";

import { fmtDate, fmtClock } from "../ui.js";

export const PRESETS = [
  ["3m", "3 months"],
  ["1m", "Month"],
  ["1w", "Week"],
  ["24h", "24 hours"],
];

const DATE = /^\d{4}-\d{2}-\d{2}$/;

// readState reads the page state from the hash query. A custom range is
// two calendar dates (UTC, both days included); anything else is a
// preset, 3 months by default.
export function readState(query) {
  const from = query.get("from") || "";
  const to = query.get("to") || "";
  const custom = from !== "" || to !== "";
  return {
    model: query.get("model") || "",
    range: custom ? "" : (PRESETS.some(([p]) => p === query.get("range")) ? query.get("range") : "3m"),
    from, to,
    sort: query.get("sort") || "",
    order: query.get("order") || "",
  };
}

// hashQuery is the state as a hash query string ("?model=voice&range=1w").
export function hashQuery(s, extra = {}) {
  return q({
    model: s.model,
    range: s.from || s.to ? "" : s.range,
    from: s.from, to: s.to,
    sort: s.sort, order: s.order,
    ...extra,
  });
}

// nextDay is the day after a YYYY-MM-DD date, or "" when it is not one.
function nextDay(d) {
  if (!DATE.test(d)) return "";
  const t = new Date(d + "T00:00:00Z");
  if (Number.isNaN(t.getTime())) return "";
  t.setUTCDate(t.getUTCDate() + 1);
  return t.toISOString().slice(0, 10);
}

// apiRange is the API's range parameters for s: range=… or from/to in
// RFC 3339, the "to" day included (to = the next midnight UTC). A date
// that is not one is passed on as typed so the server names the field.
export function apiRange(s) {
  if (!s.from && !s.to) return { range: s.range || "3m" };
  const f = DATE.test(s.from) ? s.from + "T00:00:00Z" : s.from;
  const n = nextDay(s.to);
  return { from: f, to: n ? n + "T00:00:00Z" : s.to };
}

// rangeText says which range the figures are over ("3 Mar 2026, 10:00
// CET – 3 Jun 2026, 10:00 CEST", the viewer's time zone), from the API's
// from/to.
export function rangeText(from, to) {
  return `${fmtDate(from)} – ${fmtDate(to)}`;
}

// keepFocus runs redraw and gives the focus back to the element with the
// same data-key (a sort button, a link in a row) if it had it before.
export function keepFocus(redraw) {
  const a = document.activeElement;
  const key = a && a.dataset ? a.dataset.key : "";
  redraw();
  if (key) {
    const again = document.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (again && again !== document.activeElement) again.focus({ preventScroll: true });
  }
}

// debounce returns f delayed by ms, calls during the wait folded into one;
// cancel() drops a pending call.
export function debounce(f, ms) {
  let t = null;
  const d = () => {
    clearTimeout(t);
    t = setTimeout(() => { t = null; f(); }, ms);
  };
  d.cancel = () => clearTimeout(t);
  return d;
}

// clock is the time of day of a Date in the viewer's time zone.
export function clock(d) {
  return fmtClock(d);
}
