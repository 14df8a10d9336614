// names.js: the display names of the tenant's people (GET
// /v1/people/names, from the roster admins keep on #/roster). Pages show
// nameOf(id) where they used to show an agent's or user's id; without a
// name the id is shown as before. Ids stay in links and in the API.
import { api } from "./api.js";

let names = {};
let loadedAt = 0;
let pending = null;
const FRESH_MS = 60000;

// loadNames fetches the names when older than a minute (or force); a
// failure keeps the last ones (names are a nicety, never a blocker).
export function loadNames(force = false) {
  if (!force && Date.now() - loadedAt < FRESH_MS) return Promise.resolve(names);
  if (!pending) {
    pending = api.get("/v1/people/names")
      .then((r) => { names = (r && r.names) || {}; loadedAt = Date.now(); })
      .catch(() => { loadedAt = Date.now(); })
      .finally(() => { pending = null; });
  }
  return pending.then(() => names);
}

// nameOf is the display name of id, else fallback (default: the id).
export function nameOf(id, fallback) {
  return names[id] || (fallback === undefined ? id : fallback);
}

// hasName reports whether id has a display name.
export function hasName(id) {
  return !!names[id];
}
