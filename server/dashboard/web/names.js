// names.js: the tenant's display names (GET /v1/names): people's from the
// roster admins keep on #/roster, and those of teams, inquiries and
// channels (models) admins set on #/names. Pages show nameOf(id) where
// they used to show an agent's or user's id (the id without a name), and
// ui.js's teamName / inquiryName / channel ask labelOf for the others
// (id → words without a name). Ids stay in links and in the API.
//
// Names changed while a page is open arrive over the websocket ({"op":
// "names"}, live.js); after a reconnect (pushes may have been missed)
// they are read again. Either way "names-changed" is dispatched on
// window, and app.js redraws the navigation and the page.
import { api } from "./api.js";
import { live } from "./live.js";

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

// applyNames merges pushed changes ({kind: {id: name}}, "" removed) and
// reports whether anything shown changed.
function applyNames(data) {
  let changed = false;
  for (const kind of ["people", "teams", "inquiries", "models"]) {
    for (const [id, name] of Object.entries((data && data[kind]) || {})) {
      const m = names[kind] || (names[kind] = {});
      if ((m[id] || "") === name) continue;
      if (name) m[id] = name;
      else delete m[id];
      changed = true;
    }
  }
  return changed;
}

function announce() {
  window.dispatchEvent(new Event("names-changed"));
}

live.onNames((data) => { if (applyNames(data)) announce(); });

// After a reconnect, read the names again: pushes may have been missed.
let lost = false;
live.onState((s) => {
  if (s === "reconnecting") lost = true;
  else if (s === "live" && lost) {
    lost = false;
    const before = JSON.stringify(names);
    loadNames(true).then(() => { if (JSON.stringify(names) !== before) announce(); });
  }
});
