package ingest

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/agentpulse/agentpulse/auth"
	"github.com/agentpulse/agentpulse/schemas"
)

// wantRej is an expected rejection: Error must contain msg.
type wantRej struct {
	index, line int
	field, rule string
	msg         string
	raw         string // the bytes kept on the dead-letter topic; "" skips the check
}

func broken(tenant string, i int, old, new string) string {
	return strings.Replace(line(tenant, i), old, new, 1)
}

const ndjsonType = "application/x-ndjson"

func TestIngestHTTP(t *testing.T) {
	b := startBroker(t)
	acme := token(t, "acme", auth.RoleIngest)
	bigAttr := broken("acme", 2, `"source":"api"`, `"source":"api","attributes":{"note":"`+strings.Repeat("x", 500)+`"}`)
	cases := []struct {
		name        string
		cfg         HTTPConfig
		contentType string
		tok         string
		body        []byte
		status      int
		accepted    int
		rejected    []wantRej
		errContains string // for a refused request
	}{
		{name: "ndjson, all good", contentType: ndjsonType, body: ndjson(line("acme", 1), line("acme", 2), line("acme", 3)),
			status: 200, accepted: 3},
		{name: "ndjson with charset and CRLF", contentType: "application/x-ndjson; charset=utf-8",
			body: []byte(line("acme", 1) + "\r\n" + line("acme", 2) + "\r\n"), status: 200, accepted: 2},
		{name: "ndjson, blank lines and no final newline", contentType: ndjsonType,
			body: []byte("\n" + line("acme", 1) + "\n  \n\n" + line("acme", 2)), status: 200, accepted: 2},
		{name: "array, all good", contentType: "application/json", body: array(line("acme", 1), line("acme", 2)),
			status: 200, accepted: 2},
		{name: "array without content type", body: []byte(" [\n" + line("acme", 1) + " ,\n " + line("acme", 2) + "\n] \n"),
			status: 200, accepted: 2},
		{name: "array, one invalid", contentType: "application/json",
			body:   array(line("acme", 1), broken("acme", 2, `"handle_time_s":300`, `"handle_time_s":-5`), line("acme", 3)),
			status: 200, accepted: 2,
			rejected: []wantRej{{index: 1, line: 1, field: "handle_time_s", rule: string(schemas.RuleRange), msg: "-5",
				raw: broken("acme", 2, `"handle_time_s":300`, `"handle_time_s":-5`)}}},
		{name: "ndjson, another tenant", contentType: ndjsonType, body: ndjson(line("acme", 1), line("globex", 2)),
			status: 200, accepted: 1,
			rejected: []wantRej{{index: 1, line: 2, field: "tenant_id", rule: RuleTenant, msg: "belongs to another tenant", raw: line("globex", 2)}}},
		{name: "ndjson, several broken rules", contentType: ndjsonType,
			body:   ndjson(broken("acme", 1, `"agent_id":"a1","team_id":"t1"`, `"agent_id":"","team_id":"t 1"`)),
			status: 200, accepted: 0,
			rejected: []wantRej{{index: 0, line: 1, field: "agent_id", rule: string(schemas.RuleRequired), msg: "; team_id: "}}},
		{name: "ndjson, a line that is not JSON", contentType: ndjsonType,
			body: ndjson(line("acme", 1), "", "{not json", line("acme", 2)), status: 200, accepted: 2,
			rejected: []wantRej{{index: 1, line: 3, field: "", rule: RuleSyntax, msg: "invalid JSON", raw: "{not json"}}},
		{name: "ndjson, a line that is JSON but not an object", contentType: ndjsonType,
			body: ndjson(line("acme", 1), "[1,2]"), status: 200, accepted: 1,
			rejected: []wantRej{{index: 1, line: 2, field: "", rule: string(schemas.RuleRecord), raw: "[1,2]"}}},
		{name: "ndjson, unknown field", contentType: ndjsonType,
			body: ndjson(broken("acme", 1, `"source":"api"`, `"source":"api","colour":"red"`)), status: 200,
			rejected: []wantRej{{index: 0, line: 1, field: "colour", rule: string(schemas.RuleUnknownField)}}},
		{name: "record over the size limit", cfg: HTTPConfig{MaxRecordBytes: 600}, contentType: ndjsonType,
			body: ndjson(line("acme", 1), bigAttr, line("acme", 3)), status: 200, accepted: 2,
			rejected: []wantRej{{index: 1, line: 2, field: "", rule: RuleSize, msg: "--max-record-bytes", raw: bigAttr}}},
		{name: "array element over the size limit", cfg: HTTPConfig{MaxRecordBytes: 600},
			body: array(line("acme", 1), bigAttr), status: 200, accepted: 1,
			rejected: []wantRej{{index: 1, line: 1, field: "", rule: RuleSize, msg: "600-byte limit", raw: bigAttr}}},
		{name: "empty array", body: []byte("[]"), status: 200},
		{name: "empty ndjson", contentType: ndjsonType, body: nil, status: 200},
		{name: "admin token", tok: token(t, "acme", auth.RoleAdmin), contentType: ndjsonType, body: ndjson(line("acme", 1)),
			status: 200, accepted: 1},

		{name: "ndjson, nothing is JSON", contentType: ndjsonType, body: []byte("hello\nworld\n"), status: 400,
			errContains: "not NDJSON"},
		{name: "binary garbage", contentType: ndjsonType, body: []byte{0xff, 0x00, 0x13, '\n', 0x80}, status: 400},
		{name: "array body that is text", body: []byte("hello"), status: 400, errContains: "not a JSON array"},
		{name: "array body that is an object", body: []byte(line("acme", 1)), status: 400, errContains: "x-ndjson"},
		{name: "empty array body", body: nil, status: 400, errContains: "empty body"},
		{name: "truncated array keeps nothing", body: []byte("[" + line("acme", 1) + "," + line("acme", 2)), status: 400,
			errContains: "unexpected end"},
		{name: "array with a broken element keeps nothing", body: array(line("acme", 1), `{"tenant_id": }`), status: 400},
		{name: "array then garbage", body: []byte(string(array(line("acme", 1))) + "x"), status: 400,
			errContains: "after the array"},
		{name: "ndjson sent as json", contentType: "application/json", body: ndjson(line("acme", 1), line("acme", 2)),
			status: 400},
		{name: "body over the limit", cfg: HTTPConfig{MaxBodyBytes: 500}, contentType: ndjsonType,
			body: ndjson(line("acme", 1), line("acme", 2)), status: 413, errContains: "--max-body-bytes"},
		{name: "too many records", cfg: HTTPConfig{MaxRecords: 2}, contentType: ndjsonType,
			body: ndjson(line("acme", 1), line("acme", 2), line("acme", 3)), status: 413, errContains: "--max-records"},
		{name: "exactly the record limit", cfg: HTTPConfig{MaxRecords: 2}, contentType: ndjsonType,
			body: ndjson(line("acme", 1), line("acme", 2)), status: 200, accepted: 2},
		{name: "no token", tok: "-", contentType: ndjsonType, body: ndjson(line("acme", 1)), status: 401},
		{name: "agent token", tok: token(t, "acme", auth.RoleAgent), contentType: ndjsonType, body: ndjson(line("acme", 1)),
			status: 403, errContains: "role agent"},
		{name: "token of another secret", tok: "eyJhbGciOiJIUzI1NiJ9.eyJ0ZW5hbnQiOiJhY21lIn0.c2ln", contentType: ndjsonType,
			body: ndjson(line("acme", 1)), status: 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, b, tc.cfg)
			tok := tc.tok
			switch tok {
			case "":
				tok = acme
			case "-":
				tok = ""
			}
			rec := r.post(t, tc.contentType, tok, tc.body)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tc.status, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if tc.status != 200 {
				var e struct{ Error string }
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" {
					t.Fatalf("error body %q: %v", rec.Body, err)
				}
				if !strings.Contains(e.Error, tc.errContains) {
					t.Errorf("error %q does not contain %q", e.Error, tc.errContains)
				}
				if n := len(readTopic(t, r.addr, r.interactions)) + len(readTopic(t, r.addr, r.dlq)); n != 0 {
					t.Errorf("a refused request kept %d records", n)
				}
				return
			}
			checkAnswer(t, r, rec, tc.body, tc.contentType, tc.accepted, tc.rejected)
		})
	}
}

// checkAnswer checks a 200 answer and what the topics hold.
func checkAnswer(t *testing.T, r *rig, rec *httptest.ResponseRecorder, body []byte, contentType string, accepted int, rejected []wantRej) {
	t.Helper()
	var got InteractionsResponse
	dec := json.NewDecoder(rec.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("answer: %v", err)
	}
	if got.Accepted != accepted || got.Rejected == nil || len(got.Rejected) != len(rejected) {
		t.Fatalf("answer %+v, want %d accepted and %d rejected", got, accepted, len(rejected))
	}
	for i, w := range rejected {
		g := got.Rejected[i]
		if g.Index != w.index || g.Line != w.line || g.Field != w.field || g.Rule != w.rule || !strings.Contains(g.Error, w.msg) || g.Error == "" {
			t.Errorf("rejection %d = %+v, want %+v", i, g, w)
		}
	}
	// The interactions topic holds exactly the accepted records, re-encoded,
	// keyed tenant/agent.
	kept := readTopic(t, r.addr, r.interactions)
	if len(kept) != accepted {
		t.Fatalf("interactions topic holds %d records, want %d", len(kept), accepted)
	}
	for _, k := range kept {
		it, err := schemas.DecodeInteraction(k.Value)
		if err != nil {
			t.Fatalf("kept record %s: %v", k.Value, err)
		}
		if want := Key(&it); string(k.Key) != string(want) || it.TenantID != "acme" {
			t.Errorf("key %q for tenant %s, want %q (Key)", k.Key, it.TenantID, want)
		}
		if !bytes.Contains(body, k.Value) {
			t.Errorf("kept record %s is not in the body", k.Value)
		}
	}
	// The dead-letter topic holds every rejected record as received, with
	// its reason.
	dead := readTopic(t, r.addr, r.dlq)
	if len(dead) != len(rejected) {
		t.Fatalf("dead-letter topic holds %d records, want %d", len(dead), len(rejected))
	}
	for _, w := range rejected {
		if w.raw == "" {
			continue
		}
		found := false
		for _, d := range dead {
			if strings.HasPrefix(w.raw, string(d.Value)) && len(d.Value) > 0 {
				found = true
				reason := header(d, "reason")
				if header(d, "tenant") != "acme" || header(d, "stage") != "ingest" || string(d.Key) != "acme" ||
					!strings.Contains(reason, w.msg) || (w.field != "" && !strings.HasPrefix(reason, w.field+": ")) {
					t.Errorf("dead letter headers %v key %q, want tenant acme, stage ingest and a reason naming %q", d.Headers, d.Key, w.field)
				}
			}
		}
		if !found {
			t.Errorf("dead-letter topic lacks %q", w.raw)
		}
	}
}

func TestIngestGzip(t *testing.T) {
	b := startBroker(t)
	r := newRig(t, b, HTTPConfig{MaxBodyBytes: 1000})
	var zbuf bytes.Buffer
	zw := gzip.NewWriter(&zbuf)
	_, _ = zw.Write(ndjson(line("acme", 1), line("acme", 2)))
	_ = zw.Close()
	send := func(enc string, body []byte) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, InteractionsPath, bytes.NewReader(body))
		req.Header.Set("Content-Type", ndjsonType)
		req.Header.Set("Content-Encoding", enc)
		req.Header.Set("Authorization", "Bearer "+token(t, "acme", auth.RoleIngest))
		rec := httptest.NewRecorder()
		r.h.ServeHTTP(rec, req)
		return rec
	}
	if rec := send("gzip", zbuf.Bytes()); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"accepted":2`) {
		t.Fatalf("gzip: %d %s", rec.Code, rec.Body)
	}
	if rec := send("gzip", []byte("not gzip")); rec.Code != 400 {
		t.Fatalf("bad gzip: %d %s", rec.Code, rec.Body)
	}
	if rec := send("br", zbuf.Bytes()); rec.Code != 415 || !strings.Contains(rec.Body.String(), "Content-Encoding") {
		t.Fatalf("br: %d %s", rec.Code, rec.Body)
	}
	// A small gzip body that inflates past --max-body-bytes.
	zbuf.Reset()
	zw = gzip.NewWriter(&zbuf)
	_, _ = zw.Write(bytes.Repeat([]byte("\n"), 10_000))
	_ = zw.Close()
	if rec := send("gzip", zbuf.Bytes()); rec.Code != 413 || !strings.Contains(rec.Body.String(), "--max-body-bytes") {
		t.Fatalf("gzip bomb: %d %s", rec.Code, rec.Body)
	}
}

// unsized hides a body's length, as a chunked upload does.
type unsized struct{ r *bytes.Reader }

func (u unsized) Read(p []byte) (int, error) { return u.r.Read(p) }

func TestIngestBodyLimitWithoutContentLength(t *testing.T) {
	b := startBroker(t)
	r := newRig(t, b, HTTPConfig{MaxBodyBytes: 500})
	req := httptest.NewRequest(http.MethodPost, InteractionsPath, unsized{bytes.NewReader(ndjson(line("acme", 1), line("acme", 2)))})
	req.Header.Set("Content-Type", ndjsonType)
	req.Header.Set("Authorization", "Bearer "+token(t, "acme", auth.RoleIngest))
	if req.ContentLength != -1 {
		t.Fatalf("ContentLength %d, want unknown", req.ContentLength)
	}
	rec := httptest.NewRecorder()
	r.h.ServeHTTP(rec, req)
	if rec.Code != 413 || !strings.Contains(rec.Body.String(), "500-byte limit") {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if n := len(readTopic(t, r.addr, r.interactions)); n != 0 {
		t.Fatalf("kept %d records of a refused request", n)
	}
}

func TestIngestMethodNotAllowed(t *testing.T) {
	b := startBroker(t)
	r := newRig(t, b, HTTPConfig{})
	rec := httptest.NewRecorder()
	r.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, InteractionsPath, nil))
	if rec.Code != 405 || rec.Header().Get("Allow") != "POST" {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
}
