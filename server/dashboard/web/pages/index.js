// pages/index.js: every page of the dashboard and its hash route. Pages
// are loaded when first opened.
export const routes = [
  { path: "/signin", title: "Sign in", public: true, page: () => import("./signin.js") },
  { path: "/tv", title: "Wallboard screen", public: true, page: () => import("./tv.js") },
  { path: "/agent/:agent", title: "Performance", page: () => import("./agent.js") },
  { path: "/agent/:agent/inquiry/:inquiry", title: "Inquiry", page: () => import("./inquiry.js") },
  { path: "/plans", title: "My coaching plans", page: () => import("./plans.js") },
  { path: "/plans/new", title: "New coaching plan", page: () => import("./plan-new.js") },
  { path: "/plans/:id", title: "Coaching plan", page: () => import("./plan.js") },
  { path: "/agent/:agent/plans", title: "Coaching plans", page: () => import("./plans.js") },
  { path: "/people", title: "Teams and agents", page: () => import("./people.js") },
  { path: "/names", title: "Names of teams, inquiries and channels", page: () => import("./names.js") },
  { path: "/roster", title: "People and roles", page: () => import("./roster.js") },
  { path: "/notifications", title: "Notifications", page: () => import("./notifications.js") },
  { path: "/inbox", title: "Coaching inbox", page: () => import("./inbox.js") },
  { path: "/team/:team", title: "Team", page: () => import("./team.js") },
  { path: "/wallboards", title: "Wallboards", page: () => import("./wallboards.js") },
  { path: "/wallboard/:model", title: "Wallboard", page: () => import("./wallboard.js") },
  { path: "/outcome-models", title: "Outcome models", page: () => import("./outcome-models.js") },
];
