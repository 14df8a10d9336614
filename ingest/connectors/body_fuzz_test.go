package connectors_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/agentpulse/agentpulse/ingest/connectors"
)

// FuzzReadBody feeds arbitrary bodies, content encodings and declared
// lengths to ReadBody (every connector's first step): it never panics,
// fails only with ErrTooLarge or ErrMalformed, never returns more than the
// limit (gzip bombs included), and returns an identity body unchanged.
func FuzzReadBody(f *testing.F) {
	const limit = 1 << 10
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		_, _ = w.Write(b)
		_ = w.Close()
		return buf.Bytes()
	}
	f.Add([]byte(`{"a":1}`), "", int64(-1))
	f.Add([]byte(`{"a":1}`), "identity", int64(7))
	f.Add(gz([]byte(`{"a":1}`)), "gzip", int64(-1))
	f.Add(gz(bytes.Repeat([]byte{0}, 64<<10)), "GZIP ", int64(-1)) // a bomb: 64 KiB of zeros
	f.Add(gz([]byte("x"))[:10], "x-gzip", int64(-1))               // truncated stream
	f.Add(bytes.Repeat([]byte("x"), limit+1), "", int64(-1))
	f.Add([]byte("x"), "", int64(limit+1))
	f.Add([]byte("x"), "br", int64(1))
	f.Add([]byte{0x1f, 0x8b}, "gzip", int64(2))
	f.Fuzz(func(t *testing.T, body []byte, enc string, length int64) {
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		r.ContentLength = length
		if enc != "" {
			r.Header.Set("Content-Encoding", enc)
		}
		got, err := connectors.ReadBody(r, limit)
		if err != nil {
			if !errors.Is(err, connectors.ErrTooLarge) && !errors.Is(err, connectors.ErrMalformed) {
				t.Fatalf("error %v is neither ErrTooLarge nor ErrMalformed", err)
			}
			if s := connectors.StatusFor(err); s != 413 && s != 400 {
				t.Fatalf("error %v maps to status %d", err, s)
			}
			return
		}
		if len(got) > limit {
			t.Fatalf("returned %d bytes over the %d-byte limit", len(got), limit)
		}
		if length > limit {
			t.Fatalf("accepted a declared length of %d", length)
		}
		switch e := r.Header.Get("Content-Encoding"); {
		case e == "" && !bytes.Equal(got, body):
			t.Fatalf("identity body changed")
		case e != "" && bytes.Equal(got, body) && len(body) > 0 && body[0] == 0x1f:
			// a gzip stream returned undecoded would start with its magic
			zr, zerr := gzip.NewReader(bytes.NewReader(body))
			if zerr == nil {
				if plain, _ := io.ReadAll(zr); !bytes.Equal(plain, body) {
					t.Fatalf("gzip body returned undecoded")
				}
			}
		}
	})
}
