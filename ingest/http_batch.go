package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/agentpulse/agentpulse/schemas"
)

// batch is the state of one request, reused across requests.
type batch struct {
	br       *bufio.Reader
	wire     countingReader
	scratch  []byte                // a record that spans the reader's buffer
	outcomes bool                  // the request is POST /v1/ingest/outcomes
	accepted []schemas.Interaction // to produce (interactions)
	accOut   []schemas.Outcome     // to produce (outcomes)
	dead     []Rejected            // to dead-letter, parallel to report
	report   []Rejection           // the answer's "rejected"
	syntax   int                   // NDJSON records that are not JSON
	state    atomic.Int32          // keepRunning, keepAnswered or keepAbandoned
}

// maxPooledRecords caps the capacity a batch keeps when returned to the
// pool, so that one huge request does not pin its memory.
const maxPooledRecords = 16 << 10

type batchPool struct{ p sync.Pool }

func (bp *batchPool) get() *batch {
	if b, ok := bp.p.Get().(*batch); ok {
		return b
	}
	return &batch{br: bufio.NewReaderSize(nil, 64<<10)}
}

func (bp *batchPool) put(b *batch) {
	if cap(b.accepted) > maxPooledRecords || cap(b.accOut) > maxPooledRecords || cap(b.report) > maxPooledRecords || cap(b.scratch) > 1<<20 {
		return
	}
	clear(b.accepted) // drop references to decoded strings and maps
	clear(b.accOut)
	clear(b.dead)
	clear(b.report)
	b.accepted, b.accOut, b.dead, b.report = b.accepted[:0], b.accOut[:0], b.dead[:0], b.report[:0]
	b.outcomes = false
	b.syntax = 0
	b.br.Reset(nil)
	b.wire = countingReader{}
	b.state.Store(keepRunning)
	bp.p.Put(b)
}

// acquire takes an in-flight slot and a batch, or reports that every slot
// is taken. release gives both back.
func (h *HTTPHandler) acquire() (*batch, bool) {
	select {
	case h.slots <- struct{}{}:
	default:
		return nil, false
	}
	h.m.inFlight.Inc()
	return h.pool.get(), true
}

func (h *HTTPHandler) release(b *batch) {
	h.pool.put(b)
	h.m.inFlight.Dec()
	<-h.slots
}

// read frames and decodes body into b: accepted records of tenant, and
// rejections with their reason. It returns the answer refusing the whole
// request when there is one.
func (h *HTTPHandler) read(b *batch, body io.Reader, ndjson bool, tenant string) *httpError {
	b.br.Reset(body)
	var fr framer
	var af *arrayFramer
	if ndjson {
		fr = &ndjsonFramer{r: b.br, max: h.cfg.MaxRecordBytes, buf: &b.scratch}
	} else {
		af = &arrayFramer{r: b.br, max: h.cfg.MaxRecordBytes, buf: &b.scratch}
		fr = af
	}
	records := 0
	for {
		f, err := fr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return h.readError(err)
		}
		if f.index >= h.cfg.MaxRecords {
			return &httpError{status: http.StatusRequestEntityTooLarge, limit: limitRecords,
				msg: fmt.Sprintf("the request has more than %d records; split the batch or raise --max-records", h.cfg.MaxRecords)}
		}
		records++
		if f.tooLarge {
			b.reject(f, tenant, "", RuleSize, fmt.Sprintf(
				"the record is larger than the %d-byte limit; shorten it or raise --max-record-bytes (its first %d bytes are kept on the dead-letter topic)",
				h.cfg.MaxRecordBytes, len(f.raw)))
			continue
		}
		recTenant, err := b.decode(f.raw)
		if err == nil {
			if recTenant != tenant {
				b.dropLast()
				b.reject(f, tenant, "tenant_id", RuleTenant, fmt.Sprintf(
					"belongs to another tenant (%q; the token is for %q)", recTenant, tenant))
			}
			continue
		}
		var se *schemas.SyntaxError
		var ves schemas.ValidationErrors
		switch {
		case errors.As(err, &se) && !ndjson:
			// As schemas.ArrayDecoder: an element that is not JSON ends
			// the array, the rest of the body cannot be trusted.
			return h.readError(&schemas.SyntaxError{Offset: af.elementOffset() + se.Offset, Msg: se.Msg})
		case errors.As(err, &se):
			b.syntax++
			b.reject(f, tenant, "", RuleSyntax, se.Error())
		case errors.As(err, &ves) && len(ves) > 0:
			msg := ves[0].Message
			if len(ves) > 1 {
				msg += "; " + ves[1:].Error()
			}
			b.reject(f, tenant, ves[0].Field, string(ves[0].Rule), msg)
		default:
			b.reject(f, tenant, "", string(schemas.RuleRecord), err.Error())
		}
	}
	if records > 0 && b.syntax == records {
		return &httpError{status: http.StatusBadRequest,
			msg: fmt.Sprintf("the body is not NDJSON: no line is JSON (line %d: %s)", b.report[0].Line, b.report[0].Error)}
	}
	return nil
}

// decode reads raw as the batch's kind of record and, when it is valid,
// adds it to the accepted ones and returns its tenant.
func (b *batch) decode(raw []byte) (tenant string, err error) {
	if b.outcomes {
		o, err := schemas.DecodeOutcome(raw)
		if err != nil {
			return "", err
		}
		b.accOut = append(b.accOut, o)
		return o.TenantID, nil
	}
	it, err := schemas.DecodeInteraction(raw)
	if err != nil {
		return "", err
	}
	b.accepted = append(b.accepted, it)
	return it.TenantID, nil
}

// dropLast forgets the record decode added last.
func (b *batch) dropLast() {
	if b.outcomes {
		b.accOut[len(b.accOut)-1] = schemas.Outcome{}
		b.accOut = b.accOut[:len(b.accOut)-1]
		return
	}
	b.accepted[len(b.accepted)-1] = schemas.Interaction{}
	b.accepted = b.accepted[:len(b.accepted)-1]
}

// nAccepted counts the accepted records.
func (b *batch) nAccepted() int { return len(b.accepted) + len(b.accOut) }

// stage is the dead-letter stage of the batch's rejected records.
func (b *batch) stage() string {
	if b.outcomes {
		return "ingest-outcomes"
	}
	return "ingest"
}

// reject records one rejected record: for the answer, and for the
// dead-letter topic with a copy of its bytes.
func (b *batch) reject(f frame, tenant, field, rule, msg string) {
	b.report = append(b.report, Rejection{Index: f.index, Line: f.line, Field: field, Rule: rule, Error: msg})
	reason := msg
	if field != "" {
		reason = field + ": " + msg
	}
	b.dead = append(b.dead, Rejected{Tenant: tenant, Stage: b.stage(), Reason: reason, Raw: bytes.Clone(f.raw)})
}
