package oidc_test

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
)

var methods = map[string]bool{"get": true, "post": true, "put": true, "delete": true, "patch": true}

// TestRoutesInOpenAPI: every sign-in route (method and path) is in
// schemas/openapi.yaml, marked conditional (served with --oidc-config
// only), and the file documents no /auth/ route that is not served.
func TestRoutesInOpenAPI(t *testing.T) {
	b, err := os.ReadFile("../../schemas/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	spec := string(b)
	a, _, _ := startApp(t, time.Minute)
	r := chi.NewRouter()
	a.oidc.Routes(r)
	served := map[string]bool{}
	if err := chi.Walk(r, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		served[strings.ToLower(method)+" "+route] = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, block := range strings.Split(spec, "\n  /")[1:] {
		path, rest, _ := strings.Cut(block, ":\n")
		if !strings.HasPrefix(path, "auth/") {
			continue
		}
		rest, _, _ = strings.Cut(rest, "\ncomponents:")
		var method string
		bodies := map[string]string{}
		for _, line := range strings.Split(rest, "\n") {
			if m, ok := strings.CutSuffix(strings.TrimPrefix(line, "    "), ":"); ok && strings.HasPrefix(line, "    ") && !strings.HasPrefix(line, "     ") && methods[m] {
				method = m
				continue
			}
			if method != "" {
				bodies[method] += line + "\n"
			}
		}
		for m, body := range bodies {
			documented[m+" /"+path] = true
			if !strings.Contains(body, "x-agentpulse-status: conditional") {
				t.Errorf("%s /%s is not marked x-agentpulse-status: conditional", m, path)
			}
		}
	}
	for k := range served {
		if !documented[k] {
			t.Errorf("served %s is not in openapi.yaml", k)
		}
	}
	for k := range documented {
		if !served[k] {
			t.Errorf("openapi.yaml documents %s, not served", k)
		}
	}
	if len(served) < 7 {
		t.Fatalf("only %d routes served: %v", len(served), served)
	}
}
