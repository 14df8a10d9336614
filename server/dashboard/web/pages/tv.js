// pages/tv.js: a TV installs its wallboard key (#/tv?key=apk_…), made by
// an admin on the Wallboards page. The key stays on this screen only
// (localStorage; it is in the link's fragment, which browsers never send
// to a server) and the link is replaced by the wallboard at once, so the
// key leaves the address bar. The key does not expire: the board runs
// for days until an admin revokes it (then the screen says so).
import { session } from "../session.js";
import { el, mount } from "../ui.js";

export async function render(ctx) {
  const key = ctx.query.get("key") || "";
  history.replaceState(null, "", "#/tv");
  if (!key.startsWith("apk_") || !(await session.useKey(key))) {
    mount(ctx.main, el("h1", {}, "Wallboard screen"),
      el("div", { class: "error", role: "alert", id: "tv-refused" },
        el("p", {}, "This wallboard link does not work: it was revoked, or copied incompletely. Ask an administrator for a new one (Wallboards, TV links).")));
    return;
  }
  const c = session.claims();
  location.replace(`#/wallboard/${encodeURIComponent(c.wallboard)}?kiosk=1`);
}
