// pages/index.js: every page of the dashboard and its hash route. Pages
// are loaded when first opened.
export const routes = [
  { path: "/signin", title: "Sign in", public: true, page: () => import("./signin.js") },
  { path: "/agent/:agent", title: "Performance", page: () => import("./agent.js") },
  { path: "/agent/:agent/inquiry/:inquiry", title: "Inquiry", page: () => import("./inquiry.js") },
];
