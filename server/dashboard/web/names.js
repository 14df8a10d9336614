// names.js: the tenant's display names (GET /v1/names): people's from the
// roster admins keep on #/roster, and those of teams, inquiries and
// channels (models) admins set on #/names. Pages show nameOf(id) where
// they used to show an agent's or user's id (the id without a name), and
// ui.js's teamName / inquiryName / channel ask labelOf for the others
// (id → words without a name). Ids stay in links and in the API.
import { api } from "./api.js";

let names = { people: {}, teams: {}, inquiries: {}, models: {} };
let loadedAt = 0;
let pending = null;
const FRESH_MS = 60000;

// loadNames fetches the names when older than a minute (or force); a
// failure keeps the last ones (names are a nicety, never a blocker).
export function loadNames(force = false) {
  if (!force && Date.now() - loadedAt < FRESH_MS) return Promise.resolve(names);
  if (!pending) {
    pending = api.get("/v1/names")
      .then((r) => {
        names = { people: {}, teams: {}, inquiries: {}, models: {}, ...(r || {}) };
        loadedAt = Date.now();
      })
      .catch(() => { loadedAt = Date.now(); })
      .finally(() => { pending = null; });
  }
  return pending.then(() => names);
}

// allNames is the last names loaded, by kind (people, teams, inquiries,
// models) then id.
export function allNames() {
  return names;
}

// nameOf is the display name of a person's id, else fallback (default:
// the id).
export function nameOf(id, fallback) {
  return names.people[id] || (fallback === undefined ? id : fallback);
}

// hasName reports whether a person's id has a display name.
export function hasName(id) {
  return !!names.people[id];
}

// labelOf is the display name of id of kind ("teams", "inquiries",
// "models"), or undefined.
export function labelOf(kind, id) {
  return (names[kind] || {})[id] || undefined;
}
