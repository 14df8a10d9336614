package ingest

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/agentpulse/agentpulse/schemas"
)

// ndjsonTypes are the media types read as NDJSON; any other body is read
// as a JSON array.
var ndjsonTypes = map[string]bool{
	"application/x-ndjson":     true,
	"application/ndjson":       true,
	"application/jsonl":        true,
	"application/x-jsonlines":  true,
	"application/jsonlines":    true,
	"application/json-lines":   true,
	"application/x-json-lines": true,
}

// isNDJSON reports whether the Content-Type names NDJSON.
func isNDJSON(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	return ndjsonTypes[strings.ToLower(strings.TrimSpace(mt))]
}

// errDecompressedTooLarge is returned by limitedReader past its limit.
var errDecompressedTooLarge = errors.New("decompressed body over the limit")

// limitedReader fails with errDecompressedTooLarge once more than n bytes
// were read.
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n < 0 {
		return 0, errDecompressedTooLarge
	}
	if int64(len(p)) > l.n+1 {
		p = p[:l.n+1]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n < 0 {
		return n, errDecompressedTooLarge
	}
	return n, err
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// openBody returns the request body to frame: bounded to MaxBodyBytes as
// sent and, for Content-Encoding gzip, once decompressed. Bytes read are
// counted in wire.
func (h *HTTPHandler) openBody(w http.ResponseWriter, r *http.Request, wire *countingReader) (io.Reader, *httpError) {
	limit := h.cfg.MaxBodyBytes
	if r.ContentLength > limit {
		return nil, h.tooLarge()
	}
	wire.r, wire.n = http.MaxBytesReader(w, r.Body, limit), 0
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
		return wire, nil
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(wire)
		if err != nil {
			return nil, h.readError(err)
		}
		return &limitedReader{r: zr, n: limit}, nil
	default:
		return nil, &httpError{status: http.StatusUnsupportedMediaType, field: "Content-Encoding",
			msg: fmt.Sprintf("Content-Encoding %q is not supported; send the body uncompressed or with gzip", enc)}
	}
}

// tooLarge is the 413 for a body over MaxBodyBytes.
func (h *HTTPHandler) tooLarge() *httpError {
	return &httpError{status: http.StatusRequestEntityTooLarge, limit: limitBodyBytes,
		msg: fmt.Sprintf("the request body is larger than the %d-byte limit; split the batch or raise --max-body-bytes", h.cfg.MaxBodyBytes)}
}

// readError turns an error met while reading or framing the body into the
// answer: 413 past the body limit, 400 for a body that is not a JSON
// array or cannot be read (truncated, bad gzip, the client went away).
func (h *HTTPHandler) readError(err error) *httpError {
	var mbe *http.MaxBytesError
	var se *schemas.SyntaxError
	switch {
	case errors.As(err, &mbe), errors.Is(err, errDecompressedTooLarge):
		return h.tooLarge()
	case errors.As(err, &se):
		return &httpError{status: http.StatusBadRequest, msg: "the body is not a JSON array: " + se.Error(), cause: se}
	case errors.Is(err, gzip.ErrHeader), errors.Is(err, gzip.ErrChecksum):
		return &httpError{status: http.StatusBadRequest, field: "Content-Encoding", msg: "the body is not valid gzip: " + err.Error()}
	}
	return &httpError{status: http.StatusBadRequest, msg: "the body could not be read: " + err.Error()}
}
