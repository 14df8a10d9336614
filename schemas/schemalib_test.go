package schemas

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/message"
)

// This file plugs interaction.schema.json into the reference validator,
// github.com/santhosh-tekuri/jsonschema/v6, with format assertions on and the
// agentpulse cross-field vocabulary registered, so tests can compare its
// verdicts with the Go decoder's.

// notBefore implements the dateTimeNotBefore keyword independently of the
// package under test: it uses time.Parse, not ParseTimestamp.
type notBefore struct{ pairs [][2]string } // later, earlier

func (k *notBefore) Validate(ctx *jsonschema.ValidatorContext, v any) {
	obj, ok := v.(map[string]any)
	if !ok {
		return
	}
	for _, p := range k.pairs {
		later, ok1 := obj[p[0]].(string)
		earlier, ok2 := obj[p[1]].(string)
		if !ok1 || !ok2 {
			continue
		}
		tl, err1 := time.Parse(time.RFC3339Nano, later)
		te, err2 := time.Parse(time.RFC3339Nano, earlier)
		if err1 != nil || err2 != nil {
			continue // not date-times: the format and pattern keywords report it
		}
		if tl.Before(te) {
			ctx.AddError(&notBeforeKind{later: p[0], earlier: p[1]})
		}
	}
}

type notBeforeKind struct{ later, earlier string }

func (*notBeforeKind) KeywordPath() []string { return []string{DateTimeNotBeforeKeyword} }

func (k *notBeforeKind) LocalizedString(p *message.Printer) string {
	return p.Sprintf("%s is before %s", k.later, k.earlier)
}

// numberOrder implements numberNotAbove (strict false) and numberBelow
// (strict true) with exact rational comparison, as the library compares
// numbers.
type numberOrder struct {
	keyword string
	strict  bool
	pairs   [][2]string // lesser, greater
}

func (k *numberOrder) Validate(ctx *jsonschema.ValidatorContext, v any) {
	obj, ok := v.(map[string]any)
	if !ok {
		return
	}
	for _, p := range k.pairs {
		a, ok1 := obj[p[0]].(json.Number)
		b, ok2 := obj[p[1]].(json.Number)
		if !ok1 || !ok2 {
			continue
		}
		ra, ok1 := new(big.Rat).SetString(string(a))
		rb, ok2 := new(big.Rat).SetString(string(b))
		if !ok1 || !ok2 {
			continue
		}
		if c := ra.Cmp(rb); c > 0 || k.strict && c == 0 {
			ctx.AddError(&numberOrderKind{keyword: k.keyword, lesser: p[0], greater: p[1]})
		}
	}
}

type numberOrderKind struct{ keyword, lesser, greater string }

func (k *numberOrderKind) KeywordPath() []string { return []string{k.keyword} }

func (k *numberOrderKind) LocalizedString(p *message.Printer) string {
	return p.Sprintf("%s is not below %s", k.lesser, k.greater)
}

// crossFieldExts applies several keywords of the vocabulary.
type crossFieldExts []jsonschema.SchemaExt

func (es crossFieldExts) Validate(ctx *jsonschema.ValidatorContext, v any) {
	for _, e := range es {
		e.Validate(ctx, v)
	}
}

func pairsOf(v any, keyword string) ([][2]string, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s must be an object", keyword)
	}
	var out [][2]string
	for a, b := range m {
		out = append(out, [2]string{a, b.(string)})
	}
	return out, nil
}

func crossFieldVocabulary(t testing.TB) *jsonschema.Vocabulary {
	meta, err := jsonschema.UnmarshalJSON(strings.NewReader(`{
		"properties": {
			"dateTimeNotBefore": {"type": "object", "additionalProperties": {"type": "string"}},
			"numberNotAbove": {"type": "object", "additionalProperties": {"type": "string"}},
			"numberBelow": {"type": "object", "additionalProperties": {"type": "string"}}
		}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(CrossFieldVocabulary, meta); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(CrossFieldVocabulary)
	if err != nil {
		t.Fatal(err)
	}
	return &jsonschema.Vocabulary{
		URL:    CrossFieldVocabulary,
		Schema: sch,
		Compile: func(_ *jsonschema.CompilerContext, obj map[string]any) (jsonschema.SchemaExt, error) {
			var exts crossFieldExts
			if v, ok := obj[DateTimeNotBeforeKeyword]; ok {
				pairs, err := pairsOf(v, DateTimeNotBeforeKeyword)
				if err != nil {
					return nil, err
				}
				exts = append(exts, &notBefore{pairs: pairs})
			}
			for _, kw := range []string{NumberNotAboveKeyword, NumberBelowKeyword} {
				if v, ok := obj[kw]; ok {
					pairs, err := pairsOf(v, kw)
					if err != nil {
						return nil, err
					}
					exts = append(exts, &numberOrder{keyword: kw, strict: kw == NumberBelowKeyword, pairs: pairs})
				}
			}
			if len(exts) == 0 {
				return nil, nil
			}
			return exts, nil
		},
	}
}

// compileSchema compiles InteractionSchema with format assertions on. With
// vocab, the cross-field vocabulary is registered and asserted; without it
// the library behaves as a generic 2020-12 validator that does not know it.
func compileSchema(t testing.TB, vocab bool) *jsonschema.Schema {
	t.Helper()
	return compileDoc(t, vocab, InteractionSchemaID, InteractionSchema)
}

// compileDoc compiles the agentpulse-dialect schema doc (whose $id is id)
// as compileSchema does.
func compileDoc(t testing.TB, vocab bool, id string, schemaDoc []byte) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if vocab {
		c.RegisterVocabulary(crossFieldVocabulary(t))
		c.AssertVocabs()
	}
	for _, r := range []struct {
		id  string
		doc []byte
	}{{DialectSchemaID, DialectSchema}, {id, schemaDoc}} {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(r.doc))
		if err != nil {
			t.Fatalf("parse %s: %v", r.id, err)
		}
		if err := c.AddResource(r.id, doc); err != nil {
			t.Fatalf("add %s: %v", r.id, err)
		}
	}
	sch, err := c.Compile(id)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return sch
}

var (
	sharedSchemaOnce sync.Once
	sharedSchema     *jsonschema.Schema
)

// referenceSchema returns the schema compiled with the vocabulary, once.
func referenceSchema(t testing.TB) *jsonschema.Schema {
	sharedSchemaOnce.Do(func() { sharedSchema = compileSchema(t, true) })
	return sharedSchema
}

// libVerdict is the reference verdict on data: the text must be JSON that
// RFC 8259 allows between systems (valid UTF-8, no unpaired surrogate
// escapes; the library reads through encoding/json, which silently replaces
// both) and the value must satisfy the schema. judged is false when the
// library cannot decide (it panics on numbers with exponents beyond
// big.Rat's limit of about 1e6).
func libVerdict(sch *jsonschema.Schema, data []byte) (valid, judged bool, detail error) {
	if !utf8.Valid(data) || hasUnpairedSurrogate(data) {
		return false, true, fmt.Errorf("not UTF-8 text")
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return false, true, err
	}
	defer func() {
		if r := recover(); r != nil {
			valid, judged, detail = false, false, fmt.Errorf("library panic: %v", r)
		}
	}()
	err = sch.Validate(v)
	return err == nil, true, err
}

// hasUnpairedSurrogate reports whether the JSON text has a \uD800-\uDFFF
// escape that is not part of a high-low pair. Outside strings, valid JSON
// has no backslashes, so a flat scan suffices.
func hasUnpairedSurrogate(data []byte) bool {
	for i := 0; i < len(data); i++ {
		if data[i] != '\\' {
			continue
		}
		if i+1 < len(data) && data[i+1] != 'u' {
			i++ // skip the escaped character (it may be a backslash)
			continue
		}
		r, ok := hex4(data, i+2)
		if !ok {
			continue
		}
		switch {
		case r >= 0xd800 && r < 0xdc00:
			if _, ok := lowSurrogate(data, i+6); !ok {
				return true
			}
			i += 11
		case r >= 0xdc00 && r < 0xe000:
			return true
		default:
			i += 5
		}
	}
	return false
}
