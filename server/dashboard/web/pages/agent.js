// pages/agent.js: the agent home (a first version: models and the
// inquiries table; the full page is being built).
import { api, q } from "../api.js";
import { live } from "../live.js";
import { el, mount, fmtMetric, fmtNumber, labelBadge, errorBox } from "../ui.js";

export async function render(ctx) {
  const agent = ctx.params.agent;
  const { models } = await api.get(`/v1/agents/${encodeURIComponent(agent)}/models`);
  if (!models.length) {
    mount(ctx.main, el("h1", {}, `Performance of ${agent}`), el("p", {}, "No interactions yet."));
    return;
  }
  const model = ctx.query.get("model") || models[0].model;
  const body = el("div", {});
  const draw = async () => {
    try {
      const p = await api.get(`/v1/agents/${encodeURIComponent(agent)}/performance${q({ model })}`);
      mount(body, el("table", { class: "data" },
        el("caption", {}, `Inquiries, ${model}`),
        el("thead", {}, el("tr", {}, ["Inquiry", "Volume", "AES", "Label"].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, p.inquiries.map((i) => el("tr", {},
          el("th", { scope: "row" }, i.inquiry), el("td", {}, fmtNumber(i.volume)),
          el("td", {}, fmtMetric("aes", i.aes.value)), el("td", {}, labelBadge(i.aes.label)))))));
    } catch (err) {
      mount(body, errorBox(err));
    }
  };
  mount(ctx.main, el("h1", {}, `Performance of ${agent}`), body);
  await draw();
  ctx.onCleanup(live.subscribe(`agent:${agent}`, (m) => { if (m.type === "score" && m.data.model === model) draw(); }));
}
