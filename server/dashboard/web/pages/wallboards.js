// pages/wallboards.js: choose a wallboard (#/wallboards): a model with
// data (GET /v1/models) and optionally one team — a supervisor's own
// teams, or for an admin the teams on that model's wallboard — then open
// it full screen (#/wallboard/:model?team=…). Admins also make TV links:
// a wallboard key per screen (POST /v1/api-keys with wallboard), shown
// once as a link the TV opens (#/tv?key=…), listed and revocable.
import { api, q } from "../api.js";
import { el, mount, fmtDate, status, teamName, channel } from "../ui.js";

export async function render(ctx) {
  const { models } = await api.get("/v1/models");
  if (!models.length) {
    mount(ctx.main, el("h1", {}, "Wallboards"), el("p", {}, "No interactions yet: wallboards fill in as soon as the feed sends interactions."));
    return;
  }
  const modelSel = el("select", { id: "wb-model", name: "model" },
    models.map((m) => el("option", { value: m.model }, channel(m.model))));
  const teamSel = el("select", { id: "wb-team", name: "team" });
  const fillTeams = async () => {
    let teams = ctx.claims.role === "supervisor" ? ctx.claims.teams : [];
    if (ctx.claims.role !== "supervisor") {
      try {
        const wb = await api.get(`/v1/wallboards/${encodeURIComponent(modelSel.value)}`);
        teams = wb.teams.map((t) => t.team);
      } catch { teams = []; }
    }
    mount(teamSel, el("option", { value: "" }, ctx.claims.role === "supervisor" ? "All my teams" : "All teams"),
      teams.map((t) => el("option", { value: t }, teamName(t))));
  };
  modelSel.addEventListener("change", fillTeams);
  await fillTeams();
  const form = el("form", {
    class: "card wb-pick",
    onsubmit: (e) => {
      e.preventDefault();
      ctx.navigate(`#/wallboard/${encodeURIComponent(modelSel.value)}${q({ team: teamSel.value })}`);
    },
  },
  el("div", { class: "control" }, el("label", { for: "wb-model" }, "Channel"), modelSel),
  el("div", { class: "control" }, el("label", { for: "wb-team" }, "Team (optional)"), teamSel),
  el("button", { type: "submit", class: "primary" }, "Open wallboard"));
  const tv = ctx.claims.role === "admin" ? el("section", { class: "card", "aria-labelledby": "tv-h" }) : null;
  mount(ctx.main,
    el("h1", {}, "Wallboards"),
    el("p", { class: "help" }, "A full-screen board for a TV: large type, live figures, no navigation. Press Exit (or Tab to it) to come back."),
    form, tv);
  if (tv) await tvLinks(tv, models);
}

// tvLinks lets an admin make, list and revoke TV links: each is a
// wallboard key that reads one channel's wallboard and nothing else, and
// never expires until revoked, so a TV runs for days unattended.
async function tvLinks(box, models) {
  const name = el("input", { id: "tv-name", required: true, maxlength: "64", placeholder: "Floor 2 TV", autocomplete: "off", "aria-describedby": "err-tv-name" });
  const model = el("select", { id: "tv-model" }, models.map((m) => el("option", { value: m.model }, channel(m.model))));
  const err = el("p", { class: "field-error", id: "err-tv-name" });
  const made = el("div", { id: "tv-made", "aria-live": "polite" });
  const list = el("div", { class: "table-wrap" });
  const load = async () => {
    const { api_keys: keys } = await api.get("/v1/api-keys");
    const boards = keys.filter((k) => k.wallboard && k.active);
    mount(list, boards.length ? el("table", { class: "data", id: "tv-table" },
      el("caption", { class: "sr-only" }, "TV links"),
      el("thead", {}, el("tr", {}, ["Screen", "Channel", "Made", ""].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, boards.map((k) => el("tr", { "data-key": k.id },
        el("th", { scope: "row" }, k.name), el("td", { "data-model": k.wallboard }, channel(k.wallboard)),
        el("td", { class: "small" }, fmtDate(k.created_at), el("span", { class: "muted" }, ` by ${k.created_by}`)),
        el("td", {}, el("button", { type: "button", class: "link", "data-revoke": k.id, onclick: async () => {
          try {
            await api.post(`/v1/api-keys/${encodeURIComponent(k.id)}/revoke`);
            status(`Revoked the TV link of ${k.name}: that screen stops now.`);
            await load();
          } catch (e) {
            status(`Could not revoke: ${e.message}`, "error");
          }
        } }, "Revoke")))))) : el("p", { class: "muted", id: "tv-none" }, "No TV links yet."));
  };
  mount(box, el("h2", { id: "tv-h" }, "TV links"),
    el("p", { class: "help" }, "A link for one screen: it shows one channel's wallboard and nothing else, and keeps working for days without anyone signing in, until you revoke it."),
    el("form", { id: "tv-form", class: "wb-pick", onsubmit: async (e) => {
      e.preventDefault();
      err.textContent = "";
      try {
        const { key, api_key: k } = await api.post("/v1/api-keys", { name: name.value.trim(), wallboard: model.value });
        const link = `${location.origin}/#/tv?key=${encodeURIComponent(key)}`;
        const out = el("input", { id: "tv-link", readonly: true, value: link, "aria-label": "TV link" });
        mount(made, el("div", { class: "card" },
          el("p", {}, el("strong", {}, `Open this link on ${k.name}`), ". It is shown once: copy it now."), out,
          el("p", {}, el("button", { type: "button", class: "secondary", onclick: async () => {
            out.select();
            try { await navigator.clipboard.writeText(link); status("Link copied."); } catch { document.execCommand("copy"); }
          } }, "Copy the link"))));
        name.value = "";
        await load();
      } catch (e2) {
        err.textContent = e2.message;
      }
    } },
    el("div", { class: "control" }, el("label", { for: "tv-name" }, "Screen name"), name, err),
    el("div", { class: "control" }, el("label", { for: "tv-model" }, "Channel"), model),
    el("button", { type: "submit", class: "primary", id: "make-tv" }, "Make a TV link")),
    made, list);
  try {
    await load();
  } catch (e) {
    mount(list, el("p", { class: "muted" }, `TV links are not available here: ${e.message}`));
  }
}
