// pages/signin.js: sign in through the organisation's identity provider
// (single sign-on, when the server has it: GET /auth/sso), or with a
// token. On the demo feed the server offers ready-made tokens (GET
// /v1/demo/tokens): one click signs in as the demo agent, supervisor or
// admin.
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
  const orgInput = el("input", { id: "org", name: "org", required: true, autocomplete: "organization", "aria-describedby": "org-help" });
  const sso = el("form", {
    class: "card sso", id: "sso", hidden: true, onsubmit: (e) => {
      e.preventDefault();
      // A navigation, not a form submission: the identity provider is
      // another origin (the page's CSP keeps form-action to 'self').
      location.assign("/auth/login?tenant=" + encodeURIComponent(orgInput.value.trim()));
    },
  },
  el("label", { for: "org" }, "Your organisation"),
  el("p", { id: "org-help", class: "help" }, "Sign in with your company account (single sign-on)."),
  orgInput,
  el("button", { type: "submit", class: "primary" }, "Continue"));
  mount(ctx.main, el("h1", {}, "Sign in to agentpulse"), el("div", { class: "signin-grid" }, sso, form, demo));
  try {
    const resp = await fetch("/auth/sso");
    if (resp.ok && (await resp.json()).enabled) sso.hidden = false;
  } catch {
    // no single sign-on
  }
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
