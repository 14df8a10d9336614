package connectors

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// DefaultMaxBodyBytes is HandlerConfig.MaxBodyBytes when zero: 16 MiB.
const DefaultMaxBodyBytes = 16 << 20

// ReadBody reads r's body, decompressing it when Content-Encoding is gzip
// (as Amazon Data Firehose may send it). A body longer than max bytes, before
// or after decompression, fails with [ErrTooLarge]; an unknown content
// encoding or a broken gzip stream with [ErrMalformed]. It does not close the
// body.
func ReadBody(r *http.Request, max int64) ([]byte, error) {
	if max <= 0 {
		max = DefaultMaxBodyBytes
	}
	if r.ContentLength > max {
		return nil, fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, r.ContentLength, max)
	}
	raw, err := readLimited(r.Body, max)
	if err != nil {
		return nil, err
	}
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
		return raw, nil
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, malformed("gzip body: %w", err)
		}
		return readLimited(zr, max)
	default:
		return nil, malformed("unsupported Content-Encoding %.32q (only gzip)", enc)
	}
}

func readLimited(r io.Reader, max int64) ([]byte, error) {
	if r == nil {
		return nil, nil
	}
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, malformed("read body: %w", err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
	}
	return data, nil
}
