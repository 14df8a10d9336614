package schemas

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// corpusCase is one file of testdata/corpus. Invalid files are named
// <field>__<description>.json, where <field> is the Field the Go error must
// name ("_record" for the record itself: Field "" or a *SyntaxError).
type corpusCase struct {
	name  string
	data  []byte
	valid bool
	field string
}

func loadCorpus(t testing.TB) []corpusCase {
	t.Helper()
	var out []corpusCase
	for _, dir := range []string{"valid", "invalid"} {
		paths, err := filepath.Glob(filepath.Join("testdata", "corpus", dir, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			c := corpusCase{name: dir + "/" + filepath.Base(p), data: data, valid: dir == "valid"}
			if !c.valid {
				field, _, ok := strings.Cut(strings.TrimSuffix(filepath.Base(p), ".json"), "__")
				if !ok {
					t.Fatalf("%s: invalid case names must be <field>__<description>.json", p)
				}
				c.field = field
			}
			out = append(out, c)
		}
	}
	if len(out) < 60 {
		t.Fatalf("corpus has %d cases, want at least 60", len(out))
	}
	return out
}

// TestCorpus checks, for every case, that the schema library's verdict, the
// Go decoder's verdict and the expected verdict agree, and that the Go error
// names the expected field.
func TestCorpus(t *testing.T) {
	sch := referenceSchema(t)
	for _, c := range loadCorpus(t) {
		t.Run(c.name, func(t *testing.T) {
			libValid, judged, detail := libVerdict(sch, c.data)
			if !judged {
				t.Fatalf("library could not judge: %v", detail)
			}
			if libValid != c.valid {
				t.Errorf("schema library says valid=%v, want %v (%v)", libValid, c.valid, detail)
			}
			it, err := DecodeInteraction(c.data)
			if (err == nil) != c.valid {
				t.Fatalf("DecodeInteraction says valid=%v, want %v: %v", err == nil, c.valid, err)
			}
			if c.valid {
				if err := it.Validate(); err != nil {
					t.Errorf("decoded record fails Validate: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not match ErrInvalid", err)
			}
			fields := errorFields(err)
			want := c.field
			if want == "_record" {
				want = ""
			}
			if !slices.Contains(fields, want) {
				t.Errorf("error names fields %q, want %q: %v", fields, want, err)
			}
		})
	}
}

// TestCorpusGenericValidator shows what a validator that does not know the
// cross-field vocabulary concludes: the same on every case except the
// ended_at order cases, which it cannot see.
func TestCorpusGenericValidator(t *testing.T) {
	sch := compileSchema(t, false)
	for _, c := range loadCorpus(t) {
		valid, _, detail := libVerdict(sch, c.data)
		want := c.valid
		orderCase := c.field == "ended_at" && (strings.Contains(c.name, "before") || strings.Contains(c.name, "order"))
		if orderCase {
			want = true
		}
		if valid != want {
			t.Errorf("%s: generic validator says valid=%v, want %v (%v)", c.name, valid, want, detail)
		}
	}
}

// errorFields returns the fields an error from DecodeInteraction names; a
// syntax error names the record ("").
func errorFields(err error) []string {
	var ves ValidationErrors
	if errors.As(err, &ves) {
		return ves.Fields()
	}
	var se *SyntaxError
	if errors.As(err, &se) {
		return []string{""}
	}
	return nil
}
