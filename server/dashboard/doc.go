// Package dashboard owns the web dashboard: static pages embedded in the
// binary (web/, no CDN, no network at run time) that talk only to the v1
// API and GET /v1/ws, for agents (their scores, inquiries and coaching
// plans), team leaders (their teams) and wallboards (a TV per model or
// team).
//
// The pages are plain ES modules without a build step: web/app.js is the
// shell (sign-in, hash router, navigation), web/api.js and web/live.js
// the REST and websocket clients, web/pages/*.js one module per page. The
// one third-party file is the uPlot charting library, vendored unchanged
// from the npm registry (web/vendor/uplot: version, integrity and the
// SHA-256 of each file are checked by a test).
//
// Routes: GET / (the shell), GET /app/* (the modules and styles), and GET
// /v1/demo/tokens when the server runs on the simulated demo feed (the
// sign-in page offers them). Every answer carries a Content-Security-Policy
// that allows only this origin. Handlers are safe for concurrent use.
package dashboard
