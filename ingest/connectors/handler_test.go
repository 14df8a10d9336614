package connectors_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/ingest/connectors"
	"github.com/agentpulse/agentpulse/schemas"
)

// echo is a Connector that authenticates with "X-Tenant" and maps each body
// line to a result: "ok", "skip" or anything else (failed). A body that
// starts with "!" is malformed.
type echo struct{}

func (echo) Name() string { return "echo" }

func (echo) Authenticate(r *http.Request, _ []byte) (string, error) {
	if t := r.Header.Get("X-Tenant"); t != "" {
		return t, nil
	}
	return "", connectors.Unauthenticated("no X-Tenant")
}

func (echo) Map(tenant string, body []byte, now time.Time) ([]connectors.Result, error) {
	if bytes.HasPrefix(body, []byte("!")) {
		return nil, connectors.Malformed("starts with !")
	}
	var out []connectors.Result
	for i, line := range strings.Split(string(body), "\n") {
		ref := "line " + string(rune('0'+i))
		switch line {
		case "ok":
			out = append(out, connectors.OK(&schemas.Interaction{TenantID: tenant, InteractionID: ref}, ref))
		case "skip":
			out = append(out, connectors.Skip(tenant, ref, connectors.SkipNotTerminal))
		default:
			out = append(out, connectors.Failed(tenant, ref, bytes.ErrTooLarge))
		}
	}
	return out, nil
}

func TestHandler(t *testing.T) {
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}
	tests := []struct {
		name, method, tenant, encoding string
		body                           []byte
		status                         int
		answer                         string
		kept                           int
	}{
		{name: "counts", method: "POST", tenant: "acme", body: []byte("ok\nskip\nbad\nok"), status: 200, answer: `{"accepted":2,"failed":1,"skipped":1}`, kept: 4},
		{name: "all skipped still reaches the sink", method: "POST", tenant: "acme", body: []byte("skip"), status: 200, answer: `{"accepted":0,"failed":0,"skipped":1}`, kept: 1},
		{name: "gzip", method: "POST", tenant: "acme", encoding: "gzip", body: gz([]byte("ok")), status: 200, answer: `{"accepted":1,"failed":0,"skipped":0}`, kept: 1},
		{name: "GET", method: "GET", tenant: "acme", status: 405, answer: `{"error":"use POST"}`},
		{name: "unauthenticated", method: "POST", body: []byte("ok"), status: 401, answer: `{"error":"unauthenticated delivery: no X-Tenant"}`},
		{name: "malformed", method: "POST", tenant: "acme", body: []byte("!x"), status: 400, answer: `{"error":"malformed delivery: starts with !"}`},
		{name: "too large", method: "POST", tenant: "acme", body: bytes.Repeat([]byte("k"), 65), status: 413},
		{name: "gzip bomb", method: "POST", tenant: "acme", encoding: "gzip", body: gz(bytes.Repeat([]byte("k"), 10000)), status: 413},
		{name: "broken gzip", method: "POST", tenant: "acme", encoding: "gzip", body: []byte("ok"), status: 400},
		{name: "unknown encoding", method: "POST", tenant: "acme", encoding: "br", body: []byte("ok"), status: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kept := 0
			h := connectors.NewHandler(echo{}, func(_ context.Context, c, tenant string, rs []connectors.Result) error {
				if c != "echo" || tenant != tt.tenant {
					t.Errorf("sink got %q %q", c, tenant)
				}
				kept += len(rs)
				return nil
			}, connectors.HandlerConfig{MaxBodyBytes: 64})
			r := httptest.NewRequest(tt.method, "/v1/ingest/echo", bytes.NewReader(tt.body))
			if tt.tenant != "" {
				r.Header.Set("X-Tenant", tt.tenant)
			}
			if tt.encoding != "" {
				r.Header.Set("Content-Encoding", tt.encoding)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if tt.answer != "" && w.Body.String() != tt.answer {
				t.Errorf("answer %s, want %s", w.Body, tt.answer)
			}
			if !json.Valid(w.Body.Bytes()) || w.Header().Get("Content-Type") != "application/json" {
				t.Errorf("answer is not JSON: %q", w.Body)
			}
			if kept != tt.kept {
				t.Errorf("sink kept %d results, want %d", kept, tt.kept)
			}
		})
	}
}

func TestStatusFor(t *testing.T) {
	for err, want := range map[error]int{
		nil:                                  200,
		connectors.Unauthenticated("x"):      401,
		connectors.Malformed("x"):            400,
		connectors.ErrTooLarge:               413,
		connectors.ErrUnavailable:            503,
		context.Canceled:                     500,
		connectors.Failed("t", "r", nil).Err: 200,
	} {
		if got := connectors.StatusFor(err); got != want {
			t.Errorf("StatusFor(%v) = %d, want %d", err, got, want)
		}
	}
}
