package apikeys_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/agentpulse/agentpulse/audit"
	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/auth/apikeys"
)

type keyAnswer struct {
	Key      string         `json:"key"`
	APIKey   apikeys.View   `json:"api_key"`
	Replaced *apikeys.View  `json:"replaced"`
	APIKeys  []apikeys.View `json:"api_keys"`
	Error    string         `json:"error"`
	Field    string         `json:"field"`
}

// TestRoutes: admins create (the key shown once), list (never the key nor
// its hash), revoke and rotate; other roles get 403; refusals name the
// field. Every log line of the whole flow, at debug level, holds no key
// material (the key, its secret part or its hash).
func TestRoutesAndNoKeyMaterialInLogs(t *testing.T) {
	brokers := startCluster(t)
	var logs syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	l := openLog(t, brokers, logger)
	v := apikeys.Verifier{Keys: l.Keys(), Next: auth.Verifier{Secret: secret}}
	r := chi.NewRouter()
	rec, err := audit.New(audit.Config{Brokers: brokers})
	if err != nil {
		t.Fatal(err)
	}
	actx, acancel := context.WithCancel(context.Background())
	adone := make(chan struct{})
	go func() { defer close(adone); _ = rec.Run(actx) }()
	defer func() { acancel(); <-adone; rec.Close() }()
	(&apikeys.API{Log: l, Verifier: v, Logger: logger, Audit: rec}).Routes(r)
	r.With(auth.Require(v, auth.RoleIngest)).Post("/v1/ingest/interactions", func(w http.ResponseWriter, r *http.Request) {})
	admin := mint(t, auth.Claims{Tenant: "acme", Subject: "boss", Role: auth.RoleAdmin})
	do := func(tok, method, target, body string) (int, keyAnswer, string) {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		var a keyAnswer
		_ = json.Unmarshal(rec.Body.Bytes(), &a)
		return rec.Code, a, rec.Body.String()
	}
	code, made, _ := do(admin, "POST", "/v1/api-keys", `{"name":"genesys feed"}`)
	if code != 201 || !strings.HasPrefix(made.Key, apikeys.Prefix) || !made.APIKey.Active || made.APIKey.CreatedBy != "boss" {
		t.Fatalf("create: %d %+v", code, made)
	}
	key := made.Key
	if code, _, _ := do(key, "POST", "/v1/ingest/interactions", ""); code != 200 {
		t.Fatalf("ingest with the new key: %d", code)
	}
	if code, _, _ := do(key, "GET", "/v1/api-keys", ""); code != 403 {
		t.Fatalf("an API key listing keys: %d, want 403 (role ingest)", code)
	}
	for _, tc := range []struct{ body, field string }{{`{"name":""}`, "name"}, {`{"name":"x","extra":1}`, "body"}, {`nope`, "body"}} {
		if code, a, _ := do(admin, "POST", "/v1/api-keys", tc.body); code != 400 || a.Field != tc.field {
			t.Errorf("create %s: %d field %q, want 400 on %s", tc.body, code, a.Field, tc.field)
		}
	}
	supervisor := mint(t, auth.Claims{Tenant: "acme", Subject: "sup", Role: auth.RoleSupervisor, Teams: []string{"t1"}})
	if code, _, _ := do(supervisor, "POST", "/v1/api-keys", `{"name":"x"}`); code != 403 {
		t.Fatalf("supervisor creating: %d", code)
	}
	code, list, raw := do(admin, "GET", "/v1/api-keys", "")
	if code != 200 || len(list.APIKeys) != 1 || list.APIKeys[0].ID != made.APIKey.ID {
		t.Fatalf("list: %d %s", code, raw)
	}
	if strings.Contains(raw, key[len(key)-43:]) || strings.Contains(raw, `"hash"`) || strings.Contains(raw, `"key"`) {
		t.Fatalf("the list shows key material: %s", raw)
	}
	other := mint(t, auth.Claims{Tenant: "initech", Subject: "boss", Role: auth.RoleAdmin})
	if _, l2, _ := do(other, "GET", "/v1/api-keys", ""); len(l2.APIKeys) != 0 {
		t.Fatalf("another tenant lists %+v", l2.APIKeys)
	}
	if code, _, _ := do(other, "POST", "/v1/api-keys/"+made.APIKey.ID+"/revoke", ""); code != 404 {
		t.Fatalf("another tenant revoking: %d", code)
	}
	code, rot, _ := do(admin, "POST", "/v1/api-keys/"+made.APIKey.ID+"/rotate", `{"overlap_s":60}`)
	if code != 201 || rot.Replaced == nil || rot.Replaced.ReplacedBy != rot.APIKey.ID || rot.Key == key {
		t.Fatalf("rotate: %d %+v", code, rot)
	}
	if code, a, _ := do(admin, "POST", "/v1/api-keys/"+rot.APIKey.ID+"/rotate", `{"overlap_s":-1}`); code != 400 || a.Field != "overlap_s" {
		t.Fatalf("negative overlap: %d %+v", code, a)
	}
	if code, _, _ := do(admin, "POST", "/v1/api-keys/"+rot.APIKey.ID+"/revoke", ""); code != 200 {
		t.Fatalf("revoke: %d", code)
	}
	if code, _, _ := do(admin, "POST", "/v1/api-keys/"+rot.APIKey.ID+"/revoke", ""); code != 409 {
		t.Fatalf("revoke twice: %d", code)
	}
	if code, _, _ := do(rot.Key, "POST", "/v1/ingest/interactions", ""); code != 401 {
		t.Fatalf("ingest with a revoked key: %d", code)
	}
	altered := key[:len(key)-1] + "A"
	if altered == key {
		altered = key[:len(key)-1] + "E" // another character with the spare bits zero
	}
	if code, _, _ := do(altered, "POST", "/v1/ingest/interactions", ""); code != 401 {
		t.Fatalf("ingest with an altered key: %d", code)
	}
	// The audit log names who created, rotated and revoked which key.
	deadline := time.Now().Add(5 * time.Second)
	for len(rec.Query("acme", "", time.Time{}, 10)) < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	var actions []string
	for _, e := range rec.Query("acme", "", time.Time{}, 10) {
		if e.Actor != "boss" || e.Role != "admin" || strings.Contains(e.Detail, key[len(key)-43:]) {
			t.Fatalf("audit event %+v", e)
		}
		actions = append(actions, e.Action+" "+e.Target)
	}
	want := []string{audit.APIKeyRevoked + " " + rot.APIKey.ID, audit.APIKeyRotated + " " + made.APIKey.ID, audit.APIKeyCreated + " " + made.APIKey.ID}
	if strings.Join(actions, "|") != strings.Join(want, "|") {
		t.Fatalf("audit: %v, want %v", actions, want)
	}
	out := logs.String()
	if !strings.Contains(out, "api key created") || !strings.Contains(out, made.APIKey.ID) {
		t.Fatalf("the flow logged nothing useful: %s", out)
	}
	for _, k := range []string{key, rot.Key} {
		for _, part := range []string{k, k[len(k)-43:], k[len(k)-20:]} {
			if strings.Contains(out, part) {
				t.Fatalf("logs hold key material %q:\n%s", part, out)
			}
		}
	}
	for _, rec := range l.Keys().List("acme") {
		if strings.Contains(out, rec.Hash) {
			t.Fatalf("logs hold a key's hash")
		}
	}
}
