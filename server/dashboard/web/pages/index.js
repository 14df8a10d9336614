// pages/index.js: every page of the dashboard and its hash route. Pages
// are loaded when first opened.
export const routes = [
  { path: "/signin", title: "Sign in", public: true, page: () => import("./signin.js") },
  { path: "/agent/:agent", title: "Performance", page: () => import("./agent.js") },
  { path: "/team/:team", title: "Team", page: () => import("./team.js") },
  { path: "/wallboards", title: "Wallboards", page: () => import("./wallboards.js") },
  { path: "/wallboard/:model", title: "Wallboard", page: () => import("./wallboard.js") },
];
