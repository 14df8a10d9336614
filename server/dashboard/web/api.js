// api.js: the v1 REST client. Every call carries the session's bearer
// token; an error answer becomes an ApiError with the HTTP status, the
// message and the field to blame (API.md: {"error", "field"}).
import { session } from "./session.js";

export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    super((body && body.error) || `HTTP ${status}`);
    this.status = status;
    this.field = (body && body.field) || "";
    this.errors = (body && body.errors) || [];
    // A refused roster import: every problem by row, field and rule.
    this.rows = (body && body.rows) || [];
    this.count = (body && body.count) || 0;
    // 503 while the server's store catches up with the log after a
    // restart: no figure is partial, the page waits (ui.js errorBox).
    this.catchingUp = status === 503 && !!(body && body.catching_up);
    this.behindRecords = (body && body.behind_records) || 0;
    this.retryAfter = retryAfter || 0;
    this.planId = (body && body.plan_id) || ""; // a 409 duplicate plan: the plan it repeats
  }
}

async function call(method, path, body, retried, contentType) {
  const headers = { Accept: "application/json" };
  const tok = session.token();
  if (tok) headers.Authorization = "Bearer " + tok;
  if (body !== undefined) headers["Content-Type"] = contentType || "application/json";
  const payload = body === undefined ? undefined : contentType ? body : JSON.stringify(body);
  const resp = await fetch(path, { method, headers, body: payload });
  let data = null;
  const text = await resp.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = { error: text }; }
  }
  if (!resp.ok) {
    // A single sign-on session lasts minutes: renew it once and retry.
    if (resp.status === 401 && !retried && session.sso() && await session.refresh()) return call(method, path, body, true, contentType);
    if (resp.status === 401) session.expired();
    throw new ApiError(resp.status, data, parseInt(resp.headers.get("Retry-After") || "", 10) || 0);
  }
  return data;
}

export const api = {
  get: (path) => call("GET", path),
  post: (path, body) => call("POST", path, body ?? {}),
  // postText sends text as it is (a CSV or JSON file) with its type.
  postText: (path, text, contentType) => call("POST", path, text, false, contentType),
  put: (path, body) => call("PUT", path, body),
  patch: (path, body) => call("PATCH", path, body),
  del: (path) => call("DELETE", path),
};

// q builds a query string from an object, skipping empty values.
export function q(params) {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") s.set(k, v);
  const t = s.toString();
  return t ? "?" + t : "";
}
