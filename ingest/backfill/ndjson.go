package backfill

import (
	"bytes"
	"fmt"
	"io"
	"slices"

	"github.com/agentpulse/agentpulse/schemas"
)

// NDJSONReader reads canonical interactions, one JSON object per line,
// with schemas.DecodeInteraction: the same rules as the ingest API. Blank
// lines are skipped; a "\r" before the "\n" is ignored; a UTF-8
// byte-order mark at the start of the file is skipped. Not safe for
// concurrent use.
type NDJSONReader struct {
	lr      *lineReader
	records int64
}

// NewNDJSONReader reads body, which starts at the file position at (the
// start of a line). maxLine bounds one line's bytes.
func NewNDJSONReader(body io.Reader, at Position, maxLine int) (*NDJSONReader, error) {
	lr, err := newLineReader(body, at, maxLine)
	if err != nil {
		return nil, err
	}
	return &NDJSONReader{lr: lr, records: at.Records}, nil
}

// Next returns the next record (see Reader).
func (r *NDJSONReader) Next() (Item, error) {
	for {
		pl, err := r.lr.next()
		if err != nil {
			return Item{}, err
		}
		if !pl.tooLong && len(bytes.TrimLeft(pl.text, " \t\r")) == 0 {
			continue
		}
		idx := r.records
		r.records++
		it := Item{End: Position{Offset: pl.end, Line: pl.num, Records: r.records}}
		if pl.tooLong {
			it.Err = &schemas.RecordError{Index: int(idx), Line: pl.num,
				Err: fmt.Errorf("%w: more than %d bytes", ErrLineTooLong, r.lr.max)}
			return it, nil
		}
		v, err := schemas.DecodeInteraction(pl.text)
		if err != nil {
			it.Err = &schemas.RecordError{Index: int(idx), Line: pl.num, Err: err}
			it.Raw = slices.Clone(pl.text)
			it.Tenant = tenantOf(&v, err)
			return it, nil
		}
		it.Interaction = v
		it.Tenant = v.TenantID
		return it, nil
	}
}

// tenantOf returns the tenant of a refused record when the decoder read a
// valid tenant_id, for the dead-letter key.
func tenantOf(it *schemas.Interaction, err error) string {
	if it.TenantID == "" {
		return ""
	}
	if verrs, ok := err.(schemas.ValidationErrors); ok {
		for _, e := range verrs {
			if e.Field == "tenant_id" {
				return ""
			}
		}
		return it.TenantID
	}
	return ""
}
