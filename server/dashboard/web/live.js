// live.js: the websocket client (GET /v1/ws, API.md "Live updates"). One
// connection per page load; pages subscribe to channels (agent:…, plan:…,
// team:…, wallboard:…) with a handler that receives every message
// (snapshot first, then score or plan). On a temporary close (server
// restart 1001, slow client 4001, write timeout 4002, no pong 4003, a lost
// network) it reconnects with backoff and resumes each channel from its
// epoch and seq: the server replays what was missed or sends a fresh
// snapshot. Terminal closes (4500 token expired, 4501 bad messages, 4502
// access revoked by the roster, 1009 too big) stop it; on 4502 the state
// is "revoked" so that pages can say so. A signed-in page keeps the
// connection open with no subscription too (keepOpen), for the messages
// the server sends to every connection of the tenant: {"op": "names"},
// display names that changed (onNames).
import { session } from "./session.js";

const TERMINAL = new Set([4500, 4501, 4502, 1009]);

class Live {
  constructor() {
    this.ws = null;
    this.subs = new Map(); // channel → {handlers: Set, epoch, seq}
    this.backoff = 500;
    this.state = "idle"; // idle | connecting | live | reconnecting | stopped | revoked
    this.stateListeners = new Set();
    this.namesListeners = new Set();
    this.keep = false;
    this.timer = null;
  }

  // keepOpen(true) keeps a connection open while signed in, subscribed
  // or not; keepOpen(false) lets it close when no channel is subscribed.
  keepOpen(on) {
    this.keep = !!on;
    if (this.keep) this.connect();
  }

  // onNames calls f with the data of every {"op": "names"} message (the
  // display names that changed, GET /v1/names' shape, "" removed).
  onNames(f) {
    this.namesListeners.add(f);
    return () => this.namesListeners.delete(f);
  }

  setState(s) {
    this.state = s;
    this.stateListeners.forEach((f) => f(s));
  }

  onState(f) {
    this.stateListeners.add(f);
    f(this.state);
    return () => this.stateListeners.delete(f);
  }

  connect() {
    if (this.ws || !session.claims()) return;
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    // A single sign-on session rides on its cookie; a pasted token goes
    // in the URL (browsers set no headers on a websocket).
    const query = session.token() ? `?access_token=${encodeURIComponent(session.token())}` : "";
    const ws = new WebSocket(`${proto}//${location.host}/v1/ws${query}`);
    this.ws = ws;
    this.setState(this.state === "idle" ? "connecting" : "reconnecting");
    ws.onopen = () => {
      this.backoff = 500;
      this.setState("live");
      for (const [ch, s] of this.subs) this.send(ch, s);
    };
    ws.onmessage = (ev) => {
      let m;
      try { m = JSON.parse(ev.data); } catch { return; }
      if (m.op === "names") {
        this.namesListeners.forEach((f) => f(m.data || {}));
        return;
      }
      const s = this.subs.get(m.channel);
      if (!s) return;
      if (m.op === "error") {
        s.handlers.forEach((f) => f({ type: "error", error: m.error, message: m.message }));
        return;
      }
      if (m.op) return; // unsubscribed acknowledgements
      s.epoch = m.epoch;
      s.seq = m.seq;
      s.handlers.forEach((f) => f(m));
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return; // a connection close() already let go of
      this.ws = null;
      if (ev.code === 4500 && session.sso()) {
        // The session cookie expired: renew it and resume.
        this.setState("reconnecting");
        session.refresh().then((ok) => { if (ok) this.connect(); else this.setState("stopped"); });
        return;
      }
      if (TERMINAL.has(ev.code)) {
        this.setState(ev.code === 4502 ? "revoked" : "stopped");
        // 4502: the roster (or a revoked TV link) took the access away.
        if (ev.code === 4500 || ev.code === 4502) session.expired();
        return;
      }
      if (!session.claims() || (this.subs.size === 0 && !this.keep)) {
        this.setState("idle");
        return;
      }
      this.setState("reconnecting");
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.connect(), this.backoff);
      this.backoff = Math.min(this.backoff * 2, 15000);
    };
  }

  send(channel, s) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    const msg = { op: "subscribe", channel };
    if (s && s.epoch) {
      msg.epoch = s.epoch;
      msg.since = s.seq;
    }
    this.ws.send(JSON.stringify(msg));
  }

  // subscribe calls handler with every message of channel; the returned
  // function unsubscribes this handler.
  subscribe(channel, handler) {
    let s = this.subs.get(channel);
    if (!s) {
      s = { handlers: new Set(), epoch: "", seq: 0 };
      this.subs.set(channel, s);
      this.send(channel, null);
    }
    s.handlers.add(handler);
    this.connect();
    this.setState(this.state); // listeners may show whether channels are followed
    return () => {
      s.handlers.delete(handler);
      if (s.handlers.size === 0) {
        this.subs.delete(channel);
        if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ op: "unsubscribe", channel }));
        this.setState(this.state);
      }
    };
  }

  // close ends the connection (sign-out).
  close() {
    this.keep = false;
    this.subs.clear();
    clearTimeout(this.timer);
    if (this.ws) this.ws.close(1000);
    this.ws = null;
    this.setState("idle");
  }
}

export const live = new Live();
