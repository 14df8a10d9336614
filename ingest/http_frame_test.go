package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/agentpulse/agentpulse/schemas"
)

// event is what a decoder made of one record, or of the end of the body.
type event struct {
	index, line int
	kind        string // ok, tenant, size, syntax, invalid:<field>/<rule>, end:<offset>
	value       string // the record re-encoded, for ok
}

func (e event) String() string {
	return fmt.Sprintf("#%d line %d %s %s", e.index, e.line, e.kind, e.value)
}

// referenceEvents decodes body with schemas.NDJSONDecoder or
// schemas.ArrayDecoder, the definition the endpoint's framers follow.
func referenceEvents(body []byte, ndjson bool, maxRecord int) []event {
	type nexter interface {
		Next() (schemas.Interaction, error)
	}
	var d nexter
	if ndjson {
		d = schemas.NewNDJSONDecoder(bytes.NewReader(body), maxRecord)
	} else {
		d = schemas.NewArrayDecoder(bytes.NewReader(body), maxRecord)
	}
	var out []event
	for i := 0; ; i++ {
		it, err := d.Next()
		var re *schemas.RecordError
		var se *schemas.SyntaxError
		switch {
		case err == nil:
			ev := event{index: len(out), kind: "ok", value: string(it.AppendJSON(nil))}
			if it.TenantID != "acme" {
				ev.kind, ev.value = RuleTenant, ""
			}
			out = append(out, ev)
		case errors.As(err, &re):
			out = append(out, event{index: re.Index, line: re.Line, kind: errKind(re.Err)})
		case err == io.EOF:
			return out
		case errors.As(err, &se):
			return append(out, event{kind: fmt.Sprintf("end:%d", se.Offset)})
		default:
			return append(out, event{kind: "end:" + err.Error()})
		}
	}
}

func errKind(err error) string {
	var ves schemas.ValidationErrors
	switch {
	case errors.Is(err, schemas.ErrLineTooLong), errors.Is(err, schemas.ErrRecordTooLarge):
		return "size"
	case errors.As(err, &ves):
		return "invalid:" + ves[0].Field + "/" + string(ves[0].Rule)
	}
	var se *schemas.SyntaxError
	if errors.As(err, &se) {
		return "syntax"
	}
	return "other:" + err.Error()
}

// handlerEvents runs the endpoint's read on body and describes its result
// as events.
func handlerEvents(t testing.TB, body []byte, ndjson bool, maxRecord int) []event {
	h := &HTTPHandler{cfg: HTTPConfig{MaxRecordBytes: maxRecord, MaxRecords: 1 << 30}.withDefaults()}
	b := h.pool.get()
	defer h.pool.put(b)
	herr := h.read(b, bytes.NewReader(body), ndjson, "acme")
	byIndex := map[int]Rejection{}
	for _, r := range b.report {
		byIndex[r.Index] = r
	}
	var out []event
	acc := 0
	for i := 0; acc < len(b.accepted) || len(byIndex) > 0; i++ {
		if r, ok := byIndex[i]; ok {
			delete(byIndex, i)
			kind := r.Rule
			if r.Rule != RuleSize && r.Rule != RuleSyntax && r.Rule != RuleTenant {
				kind = "invalid:" + r.Field + "/" + r.Rule
			}
			ev := event{index: r.Index, line: r.Line, kind: kind}
			if kind == RuleTenant {
				ev.line = 0 // the reference reports no line for a decoded record
			}
			out = append(out, ev)
			continue
		}
		if acc == len(b.accepted) {
			t.Fatalf("index %d is neither accepted nor rejected", i)
		}
		out = append(out, event{index: i, kind: "ok", value: string(b.accepted[acc].AppendJSON(nil))})
		acc++
	}
	if herr != nil {
		var se *schemas.SyntaxError
		switch {
		case errors.As(herr.cause, &se):
			out = append(out, event{kind: fmt.Sprintf("end:%d", se.Offset)})
		case ndjson && herr.status == 400: // no line is JSON: the events say so already
		default:
			t.Fatalf("read: %v", herr)
		}
	}
	return out
}

// checkSameEvents fails when the endpoint and the reference decoders
// disagree on body. Tenant rejections and the reference's ok records are
// compared without line numbers (the reference gives none for ok records).
func checkSameEvents(t testing.TB, body []byte, ndjson bool, maxRecord int) {
	t.Helper()
	want := referenceEvents(body, ndjson, maxRecord)
	got := handlerEvents(t, body, ndjson, maxRecord)
	if len(got) != len(want) {
		t.Fatalf("ndjson=%v max=%d body %q:\n got %v\nwant %v", ndjson, maxRecord, body, got, want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if w.kind == "ok" || w.kind == "tenant" {
			g.line, w.line = 0, 0
		}
		if g != w {
			t.Fatalf("ndjson=%v max=%d body %q: event %d:\n got %v\nwant %v", ndjson, maxRecord, body, i, g, w)
		}
	}
}

// pieces are the building blocks of generated bodies.
func pieces() []string {
	long := broken("acme", 9, `"source":"api"`, `"source":"api","attributes":{"note":"`+strings.Repeat("y", 400)+`"}`)
	return []string{
		line("acme", 1), line("acme", 2), line("globex", 3), long,
		broken("acme", 4, `"handle_time_s":300`, `"handle_time_s":"300"`),
		broken("acme", 5, `"tenant_id":"acme",`, ``),
		broken("acme", 6, `"inquiry":"billing"`, `"inquiry":"bill\"ing\\\"s, [x] {y}"`),
		`{not json`, `[1,2]`, `"text"`, `{}`, `}`, `]`, `,`, `{"a":[}`, `null`, ``, ` `, "\t", `"unterminated`,
		"{\"tenant_id\":\"ac\u00e9\"}", "\xff\xfe",
	}
}

// genBody builds a random NDJSON or array body from pieces.
func genBody(rng *rand.Rand, ps []string, ndjson bool) []byte {
	var b strings.Builder
	n := rng.IntN(8)
	seps := []string{"\n", "\r\n", "\n\n", " \n"}
	if !ndjson {
		seps = []string{",", " , ", ",\n", ",,", "]", "\n"}
		if rng.IntN(10) > 0 {
			b.WriteString([]string{"[", " [", "\n[\n"}[rng.IntN(3)])
		}
	}
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(seps[rng.IntN(len(seps))])
		}
		b.WriteString(ps[rng.IntN(len(ps))])
	}
	if !ndjson && rng.IntN(10) > 0 {
		b.WriteString([]string{"]", "] ", "]\n", "]x", ""}[rng.IntN(5)])
	}
	if ndjson && rng.IntN(2) == 0 {
		b.WriteString("\n")
	}
	return []byte(b.String())
}

// TestFramersMatchSchemaDecoders is a property test: on random bodies the
// endpoint's framing plus DecodeInteraction gives exactly what
// schemas.NDJSONDecoder and schemas.ArrayDecoder give.
func TestFramersMatchSchemaDecoders(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ps := pieces()
	for i := 0; i < 3000; i++ {
		ndjson := i%2 == 0
		maxRecord := []int{64, 400, 700, 1 << 20}[rng.IntN(4)]
		checkSameEvents(t, genBody(rng, ps, ndjson), ndjson, maxRecord)
	}
}

// TestFramersOnLongLines crosses the 64 KiB reader buffer and the size
// limit on both sides.
func TestFramersOnLongLines(t *testing.T) {
	big := broken("acme", 1, `"source":"api"`, `"source":"api","attributes":{"a":"`+strings.Repeat("z", 500)+`"}`)
	huge := strings.Repeat(" ", 70<<10) + line("acme", 2) // over the buffer, within 1 MiB
	giant := strings.Repeat("x", 200<<10)                 // over the buffer and a 100 KiB limit
	for _, max := range []int{100 << 10, 1 << 20} {
		for _, nd := range []bool{true, false} {
			join := array
			if nd {
				join = ndjson
			}
			checkSameEvents(t, join(big, huge, line("acme", 3)), nd, max)
			checkSameEvents(t, join(huge, giant, line("acme", 3)), nd, max)
			checkSameEvents(t, join(giant), nd, max)
		}
	}
}

func TestDLQPrefixOfATooLargeRecord(t *testing.T) {
	giant := strings.Repeat("x", 200<<10)
	for _, nd := range []bool{true, false} {
		h := &HTTPHandler{cfg: HTTPConfig{MaxRecordBytes: 100 << 10}.withDefaults()}
		b := h.pool.get()
		body := ndjson(giant, line("acme", 1))
		if !nd {
			body = array(giant, line("acme", 1))
		}
		if herr := h.read(b, bytes.NewReader(body), nd, "acme"); herr != nil {
			t.Fatal(herr)
		}
		if len(b.accepted) != 1 || len(b.dead) != 1 || string(b.dead[0].Raw) != giant[:dlqPrefix] {
			t.Fatalf("ndjson=%v: %d accepted, %d dead with %d bytes; want 1, 1 with the first %d bytes",
				nd, len(b.accepted), len(b.dead), len(b.dead[0].Raw), dlqPrefix)
		}
	}
}

// FuzzFramers checks on any body that the endpoint reads records exactly
// as the schemas package's stream decoders do.
func FuzzFramers(f *testing.F) {
	rng := rand.New(rand.NewPCG(3, 4))
	ps := pieces()
	for i := 0; i < 20; i++ {
		f.Add(genBody(rng, ps, i%2 == 0), i%2 == 0, uint16(rng.IntN(1000)))
	}
	f.Add([]byte("[]"), false, uint16(0))
	f.Add([]byte(""), true, uint16(0))
	f.Fuzz(func(t *testing.T, body []byte, ndjson bool, max uint16) {
		maxRecord := int(max)
		if maxRecord == 0 {
			maxRecord = 1 << 20
		}
		checkSameEvents(t, body, ndjson, maxRecord)
	})
}
