// pages/wallboards.js: choose a wallboard (#/wallboards): a model with
// data (GET /v1/models) and optionally one team — a supervisor's own
// teams, or for an admin the teams on that model's wallboard — then open
// it full screen (#/wallboard/:model?team=…).
import { api, q } from "../api.js";
import { el, mount } from "../ui.js";

export async function render(ctx) {
  const { models } = await api.get("/v1/models");
  if (!models.length) {
    mount(ctx.main, el("h1", {}, "Wallboards"), el("p", {}, "No interactions yet: wallboards fill in as soon as the feed sends interactions."));
    return;
  }
  const modelSel = el("select", { id: "wb-model", name: "model" },
    models.map((m) => el("option", { value: m.model }, m.model)));
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
      teams.map((t) => el("option", { value: t }, t)));
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
  mount(ctx.main,
    el("h1", {}, "Wallboards"),
    el("p", { class: "help" }, "A full-screen board for a TV: large type, live figures, no navigation. Press Exit (or Tab to it) to come back."),
    form);
}
