// pages/names.js: the admins' display names of teams, inquiries and
// channels (#/names): what every page shows instead of an id (team-01 →
// "Billing East"). An empty name shows the id in words, as before
// ("Team 01"). GET /v1/names, PUT /v1/names (a merge: only the changed
// names are sent). The ids listed are every team that has agents (GET
// /v1/teams), every channel and inquiry with interactions in the last 3
// months (GET /v1/models, GET /v1/inquiries) and every id that already
// has a name; an inquiry not listed can be added by its id.
import { api } from "../api.js";
import { el, mount, status, errorBox, humanize } from "../ui.js";
import { loadNames } from "../names.js";

const enc = encodeURIComponent;

// allTeams reads every page of the directory's teams (GET /v1/teams).
async function allTeams() {
  const out = [];
  let after = "";
  for (;;) {
    const page = await api.get(`/v1/teams?limit=1000${after ? "&after=" + enc(after) : ""}`);
    out.push(...page.teams);
    if (!page.next) return out;
    after = page.next;
  }
}

const KINDS = [
  ["teams", "Teams", "Team id"],
  ["inquiries", "Inquiries", "Inquiry"],
  ["models", "Channels", "Channel id"],
];

export async function render(ctx) {
  // The page holds edits: display names changed meanwhile show when it
  // is next opened, rather than a redraw losing what was typed.
  ctx.onNames(() => {});
  const title = "Names of teams, inquiries and channels";
  if (ctx.claims.role !== "admin") {
    mount(ctx.main, el("h1", {}, title), errorBox({ status: 403, message: "only an admin sets the names of teams, inquiries and channels" }));
    return;
  }
  mount(ctx.main, el("h1", {}, title), el("p", { class: "muted", "aria-live": "polite" }, "Loading the teams, inquiries and channels…"));
  let names, models, inquiries, teams;
  try {
    [names, { models }, { inquiries }, teams] = await Promise.all([api.get("/v1/names"), api.get("/v1/models"), api.get("/v1/inquiries"), allTeams()]);
  } catch (err) {
    mount(ctx.main, el("h1", {}, title), errorBox(err));
    return;
  }
  const ids = { teams: new Set(Object.keys(names.teams)), inquiries: new Set(Object.keys(names.inquiries)), models: new Set(Object.keys(names.models)) };
  models.forEach((m) => ids.models.add(m.model));
  teams.forEach((t) => ids.teams.add(t.team));
  inquiries.forEach((i) => ids.inquiries.add(i.inquiry));

  mount(ctx.main, el("h1", {}, title),
    el("p", { class: "muted" }, "The names every page shows instead of ids, for everyone in your organisation. Leave a name empty to show the id in words (team-01 reads “Team 01”). Ids stay the same in links and in the API; a change shows at once on the pages people have open."),
    ...KINDS.map(([kind, heading, idHead]) => section(kind, heading, idHead, ids[kind], names)));
}

// section is one kind's form: a row per id with the name it is shown as.
function section(kind, heading, idHead, ids, names) {
  const box = el("section", { class: "card", "aria-labelledby": `names-${kind}-h` });
  const rows = el("tbody", {});
  const inputs = new Map(); // id → input
  const errOf = new Map(); // id → error line
  const addRow = (id) => {
    const input = el("input", { type: "text", id: `name-${kind}-${id}`, maxlength: 128, value: names[kind][id] || "", placeholder: humanize(id),
      "data-id": id, "aria-describedby": `err-${kind}-${id}`, autocomplete: "off" });
    const err = el("p", { class: "field-error", id: `err-${kind}-${id}` });
    inputs.set(id, input);
    errOf.set(id, err);
    rows.append(el("tr", { "data-id": id },
      el("th", { scope: "row", class: "id" }, el("label", { for: input.id }, id)),
      el("td", {}, input, err)));
    return input;
  };
  [...ids].sort().forEach(addRow);
  const extra = [];
  if (kind === "inquiries") {
    const newId = el("input", { type: "text", id: "new-inquiry-id", maxlength: 128, autocomplete: "off", "aria-describedby": "new-inquiry-help" });
    const newName = el("input", { type: "text", id: "new-inquiry-name", maxlength: 128, autocomplete: "off" });
    const newErr = el("p", { class: "field-error", id: "err-new-inquiry" });
    extra.push(el("fieldset", { class: "names-add" }, el("legend", {}, "An inquiry not listed"),
      el("p", { class: "help", id: "new-inquiry-help" }, "Its id exactly as the contact-center feed sends it, such as technical_support."),
      el("div", { class: "field" }, el("label", { for: "new-inquiry-id" }, "Inquiry id"), newId),
      el("div", { class: "field" }, el("label", { for: "new-inquiry-name" }, "Shown as"), newName, newErr)));
    box.newInquiry = { newId, newName, newErr };
  }
  const form = el("form", { id: `names-${kind}`, onsubmit: async (e) => {
    e.preventDefault();
    errOf.forEach((x) => { x.textContent = ""; });
    const changes = {};
    for (const [id, input] of inputs) {
      const v = input.value.trim();
      if (v !== (names[kind][id] || "")) changes[id] = v;
    }
    const add = box.newInquiry;
    if (add) {
      add.newErr.textContent = "";
      const id = add.newId.value.trim();
      if (id && !inputs.has(id)) {
        if (!add.newName.value.trim()) {
          add.newErr.textContent = "Enter the name to show for this inquiry.";
          add.newName.focus();
          return;
        }
        changes[id] = add.newName.value.trim();
      }
    }
    if (!Object.keys(changes).length) {
      status("Nothing changed.");
      return;
    }
    try {
      const got = await api.put("/v1/names", { [kind]: changes });
      Object.assign(names, got);
      if (add && add.newId.value.trim() && !inputs.has(add.newId.value.trim())) {
        const id = add.newId.value.trim();
        addRow(id).value = names[kind][id] || "";
        add.newId.value = add.newName.value = "";
      }
      await loadNames(true);
      const n = Object.keys(changes).length;
      status(`Saved ${n} ${n === 1 ? "name" : "names"} of ${heading.toLowerCase()}.`);
    } catch (err) {
      const m = /^\w+\["(.*)"\]$/.exec(err.field || "");
      const id = m ? m[1] : "";
      const msg = sentence(String(err.message).replace(/^\w+\[".*?"\]: /, ""));
      if (errOf.has(id)) {
        errOf.get(id).textContent = msg;
        inputs.get(id).focus();
      } else if (add && id && id === add.newId.value.trim()) {
        add.newErr.textContent = msg;
        add.newId.focus();
      } else {
        status(`Could not save: ${msg}`, "error");
      }
    }
  } },
  ids.size ? el("div", { class: "table-wrap" }, el("table", { class: "data names-table" },
    el("caption", { class: "sr-only" }, heading),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, idHead), el("th", { scope: "col" }, "Shown as"))),
    rows))
    : el("p", { class: "muted" }, kind === "inquiries" ? "No inquiries with interactions yet: add one by its id below." : `No ${heading.toLowerCase()} with interactions in the last 3 months yet.`),
  ...extra,
  el("button", { type: "submit", class: "primary", id: `save-${kind}` }, `Save names of ${heading.toLowerCase()}`));
  mount(box, el("h2", { id: `names-${kind}-h` }, heading), form);
  return box;
}

// sentence capitalises a server message and ends it with a full stop.
function sentence(msg) {
  const s = String(msg || "");
  return s.charAt(0).toUpperCase() + s.slice(1) + (/[.!?]$/.test(s) ? "" : ".");
}
