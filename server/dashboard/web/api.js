// api.js: the v1 REST client. Every call carries the session's bearer
// token; an error answer becomes an ApiError with the HTTP status, the
// message and the field to blame (API.md: {"error", "field"}).
import { session } from "./session.js";

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || `HTTP ${status}`);
    this.status = status;
    this.field = (body && body.field) || "";
    this.errors = (body && body.errors) || [];
    this.planId = (body && body.plan_id) || ""; // a 409 duplicate plan: the plan it repeats
  }
}

async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  const tok = session.token();
  if (tok) headers.Authorization = "Bearer " + tok;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const resp = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let data = null;
  const text = await resp.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = { error: text }; }
  }
  if (!resp.ok) {
    if (resp.status === 401) session.expired();
    throw new ApiError(resp.status, data);
  }
  return data;
}

export const api = {
  get: (path) => call("GET", path),
  post: (path, body) => call("POST", path, body ?? {}),
  put: (path, body) => call("PUT", path, body),
  patch: (path, body) => call("PATCH", path, body),
};

// q builds a query string from an object, skipping empty values.
export function q(params) {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") s.set(k, v);
  const t = s.toString();
  return t ? "?" + t : "";
}
