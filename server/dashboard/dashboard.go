package dashboard

import (
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
)

//go:embed web
var files embed.FS

// DemoToken is a ready-made token the sign-in page offers on the demo
// feed.
type DemoToken struct {
	Who   string `json:"who"`   // "agent agent-0001", "supervisor of team-01", …
	Role  string `json:"role"`  // agent, supervisor, admin
	Token string `json:"token"` // the bearer token
}

// Config configures New.
type Config struct {
	// DemoTokens are offered on the sign-in page (GET /v1/demo/tokens);
	// empty (no demo feed): the route answers 404 and the page asks for
	// a token.
	DemoTokens []DemoToken
}

// Dashboard serves the embedded pages. Build it with New, mount it with
// Routes.
type Dashboard struct {
	cfg    Config
	static http.Handler
	index  []byte
}

// New returns the dashboard.
func New(cfg Config) *Dashboard {
	web, err := fs.Sub(files, "web")
	if err != nil {
		panic(err) // the embedded tree always has web/
	}
	index, err := fs.ReadFile(web, "index.html")
	if err != nil {
		panic(err)
	}
	return &Dashboard{cfg: cfg, static: http.StripPrefix("/app/", http.FileServerFS(web)), index: index}
}

// csp allows this origin only: scripts and styles from /app, the API and
// the websocket on the same host.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func secure(h http.Header) {
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}

// Routes mounts GET /, GET /app/* and GET /v1/demo/tokens on r.
func (d *Dashboard) Routes(r chi.Router) {
	r.Get("/", func(w http.ResponseWriter, _ *http.Request) {
		secure(w.Header())
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(d.index)
	})
	r.Get("/app/*", func(w http.ResponseWriter, r *http.Request) {
		secure(w.Header())
		// Revalidate on every load: a new version is seen at once; the
		// files are small and served from memory.
		w.Header().Set("Cache-Control", "no-cache")
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		d.static.ServeHTTP(w, r)
	})
	r.Get("/v1/demo/tokens", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Type", "application/json")
		if len(d.cfg.DemoTokens) == 0 {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":"no demo feed: sign in with a token from agentpulse token"}` + "\n"))
			return
		}
		_ = json.NewEncoder(w).Encode(struct {
			Tokens []DemoToken `json:"tokens"`
		}{d.cfg.DemoTokens})
	})
}
