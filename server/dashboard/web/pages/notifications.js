// pages/notifications.js: the signed-in user's notifications
// (#/notifications), newest first, unread ones marked, each opening what
// it is about; and their delivery preferences: an e-mail address, a Slack
// or Teams incoming webhook, and which kinds to receive (in the app they
// always arrive, live). "Mark all as read" marks every unread one (POST
// /v1/notifications/read-all).
import { api } from "../api.js";
import { el, mount, fmtDate, status, errorBox } from "../ui.js";

const KINDS = [
  ["help_asked", "An agent asks for help"],
  ["plan_at_risk", "A plan is at risk"],
  ["plan_achieved", "A plan is achieved"],
  ["plan_missed", "A plan is missed"],
  ["needs_work", "An agent enters Needs work on an inquiry they handle often"],
  ["feed_stalled", "The data feed stalled (admins)"],
];

export async function render(ctx) {
  // The page holds edits: display names changed meanwhile show when it
  // is next opened, rather than a redraw losing what was typed.
  ctx.onNames(() => {});
  const listBox = el("div", { id: "notification-list" });
  const prefsBox = el("section", { class: "card", "aria-labelledby": "prefs-h" });
  const allRead = el("button", { type: "button", class: "secondary", id: "read-all", hidden: true, onclick: async () => {
    allRead.disabled = true;
    try {
      const { marked } = await api.post("/v1/notifications/read-all");
      status(marked === 1 ? "Marked 1 notification as read." : `Marked ${marked} notifications as read.`);
      window.dispatchEvent(new Event("inbox-changed"));
      await load();
    } catch (err) {
      status(`Could not mark them read: ${err.message}`, "error");
    } finally {
      allRead.disabled = false;
    }
  } }, "Mark all as read");
  mount(ctx.main, el("div", { class: "page-head" }, el("h1", {}, "Notifications"), allRead), listBox, prefsBox);

  async function load() {
    const { notifications, unread } = await api.get("/v1/notifications");
    allRead.hidden = !unread;
    mount(listBox, notifications.length
      ? el("ol", { class: "notifications" }, notifications.map((n) => el("li", { class: n.read ? "read" : "unread", "data-id": n.id, "data-kind": n.kind },
        el("p", {}, el("strong", {}, n.read ? "" : "New: ", n.title), el("span", { class: "muted small" }, ` · ${fmtDate(n.at)}`)),
        n.body ? el("p", {}, n.body) : null,
        el("p", {}, n.link ? el("a", { href: n.link, onclick: () => markRead(n) }, "Open") : null, " ",
          n.read ? null : el("button", { type: "button", class: "link", "data-read": n.id, onclick: async () => { await markRead(n); await load(); } }, "Mark as read")))))
      : el("p", { class: "muted" }, "No notifications yet. You are told here, live, when one of your agents asks for help or a plan is at risk, achieved or missed."));
  }
  async function markRead(n) {
    try {
      await api.post(`/v1/notifications/${encodeURIComponent(n.id)}/read`);
      window.dispatchEvent(new Event("inbox-changed"));
    } catch (err) {
      status(`Could not mark it read: ${err.message}`, "error");
    }
  }

  async function loadPrefs() {
    const p = await api.get("/v1/notification-preferences");
    const email = el("input", { type: "email", id: "pref-email", value: p.email || "", autocomplete: "email", "aria-describedby": "err-email" });
    const hook = el("input", { type: "url", id: "pref-webhook", value: p.webhook || "", "aria-describedby": "webhook-help err-webhook" });
    const errs = { email: el("p", { class: "field-error", id: "err-email" }), webhook: el("p", { class: "field-error", id: "err-webhook" }) };
    const all = !p.kinds || !p.kinds.length;
    const kinds = KINDS.filter(([k]) => k !== "feed_stalled" || ctx.claims.role === "admin");
    const boxes = kinds.map(([k, text]) => el("div", { class: "check" },
      el("input", { type: "checkbox", id: `kind-${k}`, value: k, checked: all || p.kinds.includes(k) }), el("label", { for: `kind-${k}` }, text)));
    const form = el("form", { onsubmit: async (e) => {
      e.preventDefault();
      errs.email.textContent = errs.webhook.textContent = "";
      const chosen = kinds.map(([k]) => k).filter((k) => document.getElementById(`kind-${k}`).checked);
      try {
        await api.put("/v1/notification-preferences", { email: email.value.trim(), webhook: hook.value.trim(), kinds: chosen.length === kinds.length ? [] : chosen });
        status("Preferences saved.");
      } catch (err) {
        if (errs[err.field]) errs[err.field].textContent = err.message;
        else status(`Could not save: ${err.message}`, "error");
      }
    } },
    el("div", { class: "field" }, el("label", { for: "pref-email" }, "E-mail me at"), email, errs.email),
    el("div", { class: "field" }, el("label", { for: "pref-webhook" }, "Post to a chat webhook"), hook,
      el("p", { class: "help", id: "webhook-help" }, "A Slack or Microsoft Teams incoming webhook URL. Leave empty for none."), errs.webhook),
    el("fieldset", {}, el("legend", {}, "Tell me when"), boxes),
    el("button", { type: "submit", class: "primary", id: "save-prefs" }, "Save"));
    mount(prefsBox, el("h2", { id: "prefs-h" }, "How to reach you"), form);
  }

  try {
    await Promise.all([load(), loadPrefs()]);
  } catch (err) {
    mount(listBox, errorBox(err));
  }
  const onLive = () => load().catch(() => {});
  window.addEventListener("notification", onLive);
  ctx.onCleanup(() => window.removeEventListener("notification", onLive));
}
