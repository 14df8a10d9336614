// pages/roster.js: the admins' roster of people (#/roster): who is an
// agent, a supervisor (of which teams) or an admin in the product, with
// their display names, and who decides (the identity provider's groups,
// the roster for the people it lists, or the roster alone). Changes apply
// at once: to the person's next call and to their open pages (live
// updates they may no longer see stop; a person no longer admitted is
// signed out of them). GET /v1/roster, PUT /v1/roster/mode, PUT and
// DELETE /v1/roster/people/{subject}, POST /v1/roster/import (many
// people at once from a CSV or JSON file, checked whole before any write).
import { api } from "../api.js";
import { el, mount, fmtDate, status, errorBox } from "../ui.js";
import { session } from "../session.js";
import { loadNames } from "../names.js";

const enc = encodeURIComponent;

const MODES = [
  ["override", "The roster, then the identity provider",
    "People listed here get the role and teams set here; anyone else keeps what the identity provider (or their token) says. The default."],
  ["idp", "The identity provider",
    "Roles and teams come from the identity provider's groups (or the token); this list only gives display names."],
  ["roster", "The roster alone",
    "Only the people listed here may use agentpulse, with the role and teams set here; anyone else is refused."],
];

const ROLES = [["agent", "Agent"], ["supervisor", "Supervisor (team leader)"], ["admin", "Admin"]];

export async function render(ctx) {
  // The page holds edits: display names changed meanwhile show when it
  // is next opened, rather than a redraw losing what was typed.
  ctx.onNames(() => {});
  if (ctx.claims.role !== "admin") {
    mount(ctx.main, el("h1", {}, "People and roles"), errorBox({ status: 403, message: "only an admin manages the roster of people" }));
    return;
  }
  const modeBox = el("section", { class: "card", "aria-labelledby": "mode-h" });
  const formBox = el("section", { class: "card", "aria-labelledby": "person-h" });
  const listBox = el("section", { "aria-labelledby": "people-h" });
  const importBox = el("section", { class: "card", "aria-labelledby": "import-h" });
  mount(ctx.main, el("h1", {}, "People and roles"),
    el("p", { class: "muted" }, "Who is an agent, a team leader or an admin here, and the names shown instead of ids. A change applies at once, to open pages too. Teams, inquiries and channels get their names on ", el("a", { href: "#/names" }, "names of teams, inquiries and channels"), "."),
    listBox, formBox, importBox, modeBox);

  let roster;
  try {
    roster = await api.get("/v1/roster");
  } catch (err) {
    mount(listBox, errorBox(err));
    return;
  }

  // Who decides.
  const modeErr = el("p", { class: "field-error", id: "err-mode" });
  const radios = MODES.map(([m, title, help]) => el("div", { class: "check mode-choice" },
    el("input", { type: "radio", name: "mode", id: `mode-${m}`, value: m, checked: roster.mode === m, "aria-describedby": `mode-${m}-help` }),
    el("div", {}, el("label", { for: `mode-${m}` }, el("strong", {}, title)),
      el("p", { class: "help", id: `mode-${m}-help` }, help))));
  mount(modeBox, el("h2", { id: "mode-h" }, "Who decides roles and teams"),
    el("form", { id: "mode-form", onsubmit: async (e) => {
      e.preventDefault();
      modeErr.textContent = "";
      const m = modeBox.querySelector("input[name=mode]:checked").value;
      try {
        roster = await api.put("/v1/roster/mode", { mode: m });
        status("Saved: " + MODES.find((x) => x[0] === m)[1].toLowerCase() + " decides.");
        draw();
      } catch (err) {
        modeErr.textContent = sentence(err.message);
      }
    } }, el("fieldset", {}, el("legend", { class: "sr-only" }, "Who decides"), radios), modeErr,
    el("button", { type: "submit", class: "primary", id: "save-mode" }, "Save")));

  // Add or change a person.
  const subject = el("input", { id: "person-subject", required: true, autocomplete: "off", "aria-describedby": "subject-help err-subject" });
  const name = el("input", { id: "person-name", autocomplete: "off", maxlength: "128", "aria-describedby": "err-name" });
  const role = el("select", { id: "person-role" }, ROLES.map(([v, t]) => el("option", { value: v }, t)));
  const teams = el("input", { id: "person-teams", autocomplete: "off", "aria-describedby": "teams-help err-teams" });
  const errs = Object.fromEntries(["subject", "name", "role", "teams"].map((f) => [f, el("p", { class: "field-error", id: `err-${f}` })]));
  const teamsField = el("div", { class: "field" }, el("label", { for: "person-teams" }, "Leads the teams"), teams,
    el("p", { class: "help", id: "teams-help" }, "Team ids separated by commas, such as team-01, team-02."), errs.teams);
  const syncTeams = () => { teamsField.hidden = role.value !== "supervisor"; };
  role.addEventListener("change", syncTeams);
  syncTeams();
  const edit = (p) => {
    subject.value = p.subject;
    name.value = p.name || "";
    role.value = p.role;
    teams.value = (p.teams || []).join(", ");
    syncTeams();
    subject.focus();
  };
  mount(formBox, el("h2", { id: "person-h" }, "Add or change a person"),
    el("form", { id: "person-form", onsubmit: async (e) => {
      e.preventDefault();
      Object.values(errs).forEach((x) => { x.textContent = ""; });
      const sub = subject.value.trim();
      if (!sub) {
        errs.subject.textContent = "Enter the person's id.";
        subject.focus();
        return;
      }
      const body = { name: name.value.trim(), role: role.value, teams: role.value === "supervisor" ? teams.value.split(",").map((t) => t.trim()).filter(Boolean) : [] };
      try {
        const p = await api.put(`/v1/roster/people/${enc(sub)}`, body);
        status(`Saved ${p.name || p.subject} as ${describe(p)}.`);
        await reload(sub === ctx.claims.sub);
        subject.value = name.value = teams.value = "";
      } catch (err) {
        const f = err.field === "body" ? "subject" : err.field;
        (errs[f] || errs.subject).textContent = sentence(err.message);
      }
    } },
    el("div", { class: "field" }, el("label", { for: "person-subject" }, "Id"), subject,
      el("p", { class: "help", id: "subject-help" }, "The agent id for an agent (as the contact-center feed sends it), the sign-in user id for anyone else."), errs.subject),
    el("div", { class: "field" }, el("label", { for: "person-name" }, "Display name"), name, errs.name),
    el("div", { class: "field" }, el("label", { for: "person-role" }, "Role"), role, errs.role),
    teamsField,
    el("button", { type: "submit", class: "primary", id: "save-person" }, "Save")));

  // Many people at once: a CSV file (or JSON array), checked whole.
  const file = el("input", { type: "file", id: "import-file", accept: ".csv,text/csv,.json,application/json", "aria-describedby": "import-help" });
  const text = el("textarea", { id: "import-text", rows: "6", spellcheck: "false", "aria-describedby": "import-help import-result" });
  const result = el("div", { id: "import-result", "aria-live": "polite" });
  file.addEventListener("change", async () => {
    const f = file.files && file.files[0];
    if (f) text.value = await f.text();
  });
  mount(importBox, el("h2", { id: "import-h" }, "Import many people"),
    el("p", { class: "help", id: "import-help" },
      "A CSV file with a header line naming the columns subject, role, name and teams (a team leader's teams separated by semicolons), one person a line; or a JSON array of people. Every row is checked first (row 1 is the first person, after the header line): if any is wrong, nothing is imported. People not in the file stay as they are."),
    el("form", { id: "import-form", onsubmit: async (e) => {
      e.preventDefault();
      mount(result);
      const body = text.value;
      if (!body.trim()) {
        mount(result, el("p", { class: "field-error" }, "Choose a file or paste its lines."));
        text.focus();
        return;
      }
      const json = /^\s*\[/.test(body);
      try {
        const r = await api.postText("/v1/roster/import", body, json ? "application/json" : "text/csv");
        status(`Imported: ${r.added} added, ${r.changed} changed, ${r.unchanged} already as listed.`);
        mount(result, el("p", { id: "import-done" }, `${r.added} added, ${r.changed} changed, ${r.unchanged} already as listed.`));
        text.value = "";
        file.value = "";
        await reload(false);
      } catch (err) {
        if (!err.rows.length) {
          mount(result, el("p", { class: "field-error" }, sentence(err.message)));
          return;
        }
        const more = err.count - err.rows.length;
        mount(result, el("p", { class: "field-error" }, sentence(err.message)),
          el("ul", { id: "import-errors", class: "field-error" }, err.rows.map((r) =>
            el("li", {}, `${r.row ? `Row ${r.row}` : "The file"}, ${r.field}: ${sentence(r.error)}`))),
          more > 0 ? el("p", { class: "muted" }, `and ${more} more.`) : null);
      }
    } },
    el("div", { class: "field" }, el("label", { for: "import-file" }, "File"), file),
    el("div", { class: "field" }, el("label", { for: "import-text" }, "Or paste the lines"), text),
    result,
    el("button", { type: "submit", class: "primary", id: "import-people" }, "Import")));

  // The list.
  const search = el("input", { type: "search", id: "roster-search", placeholder: "Name, id or team", autocomplete: "off", "aria-describedby": "roster-count" });
  const count = el("p", { id: "roster-count", class: "muted", "aria-live": "polite" });
  const table = el("div", { class: "table-wrap" });
  mount(listBox, el("h2", { id: "people-h" }, "People"),
    el("div", { class: "controls" }, el("div", {}, el("label", { for: "roster-search" }, "Search"), search), count), table);
  search.addEventListener("input", () => draw());

  async function reload(self) {
    roster = await api.get("/v1/roster");
    loadNames(true);
    if (self) await session.whoami();
    draw();
  }

  function draw() {
    const q = search.value.trim().toLowerCase();
    const people = roster.people.filter((p) => !q || [p.subject, p.name || "", ...(p.teams || [])].some((s) => s.toLowerCase().includes(q)));
    count.textContent = `${people.length} of ${roster.people.length} people`;
    if (!roster.people.length) {
      mount(table, el("p", { class: "muted", id: "roster-empty" }, "Nobody is listed yet: roles come from the identity provider or the tokens. Add a person above to give them a name, or a role and teams of your choosing."));
      return;
    }
    mount(table, el("table", { class: "data", id: "roster-table" },
      el("caption", { class: "sr-only" }, "People"),
      el("thead", {}, el("tr", {}, ["Name", "Id", "Role", "Changed", ""].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, people.map((p) => el("tr", { "data-subject": p.subject },
        el("th", { scope: "row" }, p.name || el("span", { class: "muted" }, "—")),
        el("td", { class: "id" }, p.subject),
        el("td", {}, describe(p)),
        el("td", { class: "small" }, fmtDate(p.updated_at), el("span", { class: "muted" }, ` by ${p.updated_by}`)),
        el("td", { class: "actions" },
          el("button", { type: "button", class: "link", "data-edit": p.subject, onclick: () => edit(p) }, "Change"), " · ",
          el("button", { type: "button", class: "link", "data-remove": p.subject, onclick: async () => {
            if (!confirm(`Take ${p.name || p.subject} off the roster?`)) return;
            try {
              await api.del(`/v1/roster/people/${enc(p.subject)}`);
              status(`Removed ${p.name || p.subject} from the roster.`);
              await reload(false);
            } catch (err) {
              status(`Could not remove: ${err.message}`, "error");
            }
          } }, "Remove")))))));
  }
  draw();
}

// sentence capitalises a server message and ends it with a full stop.
function sentence(msg) {
  const s = String(msg || "");
  return s.charAt(0).toUpperCase() + s.slice(1) + (/[.!?]$/.test(s) ? "" : ".");
}

// describe says a person's role in words.
function describe(p) {
  if (p.role === "supervisor") return (p.teams || []).length ? `team leader of ${p.teams.join(", ")}` : "team leader of no team yet";
  return p.role;
}
