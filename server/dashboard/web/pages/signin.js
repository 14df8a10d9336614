// pages/signin.js: sign in with a token. On the demo feed the server
// offers ready-made tokens (GET /v1/demo/tokens): one click signs in as
// the demo agent, supervisor or admin.
import { session } from "../session.js";
import { home } from "../app.js";
import { el, mount } from "../ui.js";

export async function render(ctx) {
  const next = ctx.query.get("next");
  const go = () => { location.hash = next ? "#" + next : home(session.claims()); };
  const error = el("p", { id: "token-error", class: "field-error", role: "alert" });
  const input = el("textarea", { id: "token", name: "token", rows: 4, required: true, "aria-describedby": "token-help token-error", autocomplete: "off", spellcheck: "false" });
  const form = el("form", {
    class: "card signin", onsubmit: (e) => {
      e.preventDefault();
      try {
        session.signIn(input.value);
        go();
      } catch (err) {
        error.textContent = err.message;
        input.setAttribute("aria-invalid", "true");
        input.focus();
      }
    },
  },
  el("label", { for: "token" }, "Access token"),
  el("p", { id: "token-help", class: "help" }, "Paste the token your administrator gave you (agentpulse token …)."),
  input, error,
  el("button", { type: "submit", class: "primary" }, "Sign in"));
  const demo = el("section", { class: "card demo", "aria-labelledby": "demo-title", hidden: true });
  mount(ctx.main, el("h1", {}, "Sign in to agentpulse"), el("div", { class: "signin-grid" }, form, demo));
  try {
    const resp = await fetch("/v1/demo/tokens");
    if (!resp.ok) return;
    const { tokens } = await resp.json();
    mount(demo,
      el("h2", { id: "demo-title" }, "Demo contact center"),
      el("p", { class: "help" }, "This server runs on a simulated feed. Sign in as:"),
      el("ul", { class: "plain" }, tokens.map((t) => el("li", {},
        el("button", { type: "button", class: "secondary", "data-role": t.role, onclick: () => { session.signIn(t.token); go(); } }, t.who)))));
    demo.hidden = false;
  } catch {
    // no demo feed: the token form is enough
  }
}
