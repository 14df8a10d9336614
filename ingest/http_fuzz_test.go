package ingest

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/agentpulse/agentpulse/auth"
)

// FuzzIngestHandler sends random bodies, content types, encodings and
// tokens through the real handler into a real (embedded) broker: the
// answer is never a 5xx other than 503, always JSON of the documented
// shape, and a 200 accounts for every record.
func FuzzIngestHandler(f *testing.F) {
	good := ndjson(line("acme", 1), line("globex", 2), `{"x":1}`)
	var zbuf bytes.Buffer
	zw := gzip.NewWriter(&zbuf)
	_, _ = zw.Write(good)
	_ = zw.Close()
	f.Add(good, uint8(2), uint8(0), uint8(0))
	f.Add(zbuf.Bytes(), uint8(2), uint8(1), uint8(0))
	f.Add(array(line("acme", 1), `[]`), uint8(1), uint8(0), uint8(0))
	f.Add([]byte("[{}"), uint8(0), uint8(0), uint8(0))
	f.Add([]byte("hello"), uint8(3), uint8(3), uint8(1))
	f.Add([]byte{0x1f, 0x8b, 0, 0}, uint8(4), uint8(1), uint8(2))

	b := startBroker(f)
	r := newRig(f, b, HTTPConfig{MaxBodyBytes: 16 << 10, MaxRecords: 20, MaxRecordBytes: 2 << 10})
	contentTypes := []string{"", "application/json", "application/x-ndjson", "text/plain",
		"application/x-ndjson; charset=utf-8", "application/jsonl", "\x00;;=", "multipart/form-data; boundary=x"}
	encodings := []string{"", "gzip", "identity", "br", "GZIP", " x-gzip "}
	tokens := []string{token(f, "acme", auth.RoleIngest), token(f, "acme", auth.RoleAdmin),
		token(f, "acme", auth.RoleAgent), "garbage", ""}

	f.Fuzz(func(t *testing.T, body []byte, ct, enc, tok uint8) {
		req := httptest.NewRequest(http.MethodPost, InteractionsPath, bytes.NewReader(body))
		req.Header.Set("Content-Type", contentTypes[int(ct)%len(contentTypes)])
		req.Header.Set("Content-Encoding", encodings[int(enc)%len(encodings)])
		if tk := tokens[int(tok)%len(tokens)]; tk != "" {
			req.Header.Set("Authorization", "Bearer "+tk)
		}
		rec := httptest.NewRecorder()
		r.h.ServeHTTP(rec, req)
		if rec.Code >= 500 && rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("status %d for a client's request: %s", rec.Code, rec.Body)
		}
		if rec.Code != http.StatusOK {
			var e struct{ Error string }
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" {
				t.Fatalf("status %d with body %q: %v", rec.Code, rec.Body, err)
			}
			return
		}
		var got InteractionsResponse
		dec := json.NewDecoder(rec.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&got); err != nil || got.Rejected == nil {
			t.Fatalf("200 with body %q: %v", rec.Body, err)
		}
		for i, rj := range got.Rejected {
			if rj.Error == "" || rj.Rule == "" || rj.Line < 1 || (i > 0 && rj.Index <= got.Rejected[i-1].Index) {
				t.Fatalf("rejection %d: %+v", i, rj)
			}
		}
	})
}
