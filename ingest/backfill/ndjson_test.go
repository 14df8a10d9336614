package backfill

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/agentpulse/agentpulse/schemas"
)

func TestNDJSONReader(t *testing.T) {
	its := simulated(t, 2)
	a, b := string(its[0].AppendJSON(nil)), string(its[1].AppendJSON(nil))
	bad := strings.Replace(b, `"revision":1`, `"revision":0`, 1)
	// line:        1 (BOM + a, CRLF)      2 blank  3 bad      4 not JSON   5 b, no final newline
	in := "\xEF\xBB\xBF" + a + "\r\n" + "  \n" + bad + "\n" + "{oops\n" + b
	items := readAll(t, FormatNDJSON, []byte(in), Position{})
	type want struct {
		line    int
		end     int
		errPart string
	}
	l1 := 3 + len(a) + 2
	l3 := l1 + 3 + len(bad) + 1
	l4 := l3 + 6
	wants := []want{
		{1, l1, ""},
		{3, l3, "line 3 (record 1): revision: "},
		{4, l4, "line 4 (record 2): invalid JSON"},
		{5, len(in), ""},
	}
	if len(items) != len(wants) {
		t.Fatalf("%d items, want %d", len(items), len(wants))
	}
	for i, w := range wants {
		it := items[i]
		if it.End.Line != w.line || it.End.Offset != int64(w.end) || it.End.Records != int64(i+1) {
			t.Errorf("item %d ends at %+v, want line %d offset %d records %d", i, it.End, w.line, w.end, i+1)
		}
		if w.errPart == "" {
			if it.Err != nil {
				t.Errorf("item %d refused: %v", i, it.Err)
			}
			continue
		}
		if it.Err == nil || !strings.Contains(it.Err.Error(), w.errPart) {
			t.Errorf("item %d err = %v, want %q", i, it.Err, w.errPart)
		}
		if !errors.Is(it.Err, schemas.ErrInvalid) {
			t.Errorf("item %d err does not match schemas.ErrInvalid", i)
		}
	}
	if items[1].Tenant != its[1].TenantID || string(items[1].Raw) != bad {
		t.Errorf("refused item: tenant %q raw %q, want %q and the line", items[1].Tenant, items[1].Raw, its[1].TenantID)
	}
	if items[2].Tenant != "" {
		t.Errorf("unreadable record has tenant %q", items[2].Tenant)
	}
}

func TestNDJSONLineTooLong(t *testing.T) {
	its := simulated(t, 1)
	a := string(its[0].AppendJSON(nil))
	in := strings.Repeat("x", 100) + "\n" + a + "\n"
	rd, err := NewNDJSONReader(strings.NewReader(in), Position{}, 90)
	if err != nil {
		t.Fatal(err)
	}
	first, err := rd.Next()
	if err != nil || !errors.Is(first.Err, ErrLineTooLong) || first.Raw != nil || first.End.Offset != 101 {
		t.Fatalf("first = %+v, %v; want ErrLineTooLong ending at 101 without raw bytes", first, err)
	}
	if len(a) <= 90 {
		t.Fatalf("test record too short: %d", len(a))
	}
	second, _ := rd.Next()
	if !errors.Is(second.Err, ErrLineTooLong) || second.End.Line != 2 {
		t.Fatalf("second = %+v", second)
	}
}

// mixedFile builds a file of n records, about a fifth of them invalid in
// various ways, with blank lines between some, in format f.
func mixedFile(t testing.TB, r *rand.Rand, f Format, n int) ([]byte, int) {
	its := simulated(t, n)
	var b bytes.Buffer
	invalid := 0
	if f == FormatCSV {
		b.WriteString(csvHeaderLine)
	}
	for i := range its {
		if r.IntN(7) == 0 {
			b.WriteString("\n")
		}
		var line string
		if f == FormatCSV {
			line = csvRowOf(&its[i])
		} else {
			line = string(its[i].AppendJSON(nil)) + "\n"
		}
		switch r.IntN(10) {
		case 0:
			line = strings.Replace(line, its[i].TenantID, "bad tenant", 1)
			invalid++
		case 1:
			line = line[:len(line)/2] + "\n"
			invalid++
		}
		if r.IntN(5) == 0 {
			line = strings.TrimSuffix(line, "\n") + "\r\n"
		}
		b.WriteString(line)
	}
	return b.Bytes(), invalid
}

// TestResumeFromAnyCheckpoint is the property the resume state relies on:
// reading from the End of any record gives exactly the records after it.
func TestResumeFromAnyCheckpoint(t *testing.T) {
	for _, f := range []Format{FormatNDJSON, FormatCSV} {
		for seed := range uint64(4) {
			t.Run(fmt.Sprintf("%s/%d", f, seed), func(t *testing.T) {
				r := rand.New(rand.NewPCG(seed, 99))
				data, invalid := mixedFile(t, r, f, 60)
				all := readAll(t, f, data, Position{})
				refused := 0
				for _, it := range all {
					if it.Err != nil {
						refused++
					}
				}
				if len(all) != 60 || refused < invalid {
					t.Fatalf("%d items, %d refused; want 60 with at least %d refused", len(all), refused, invalid)
				}
				for k, it := range all {
					rest := readAll(t, f, data, it.End)
					if len(rest) != len(all)-k-1 {
						t.Fatalf("from record %d's end %+v: %d items, want %d", k, it.End, len(rest), len(all)-k-1)
					}
					for j := range rest {
						w := all[k+1+j]
						if rest[j].End != w.End || (rest[j].Err == nil) != (w.Err == nil) ||
							(w.Err != nil && rest[j].Err.Error() != w.Err.Error()) ||
							!bytes.Equal(rest[j].Interaction.AppendJSON(nil), w.Interaction.AppendJSON(nil)) {
							t.Fatalf("from record %d: item %d differs:\n%+v\n%+v", k, j, rest[j], w)
						}
					}
				}
			})
		}
	}
}

func TestDetectFormat(t *testing.T) {
	for _, tc := range []struct {
		path, head string
		want       Format
	}{
		{"x.ndjson", "tenant_id,", FormatNDJSON},
		{"x.JSONL", "", FormatNDJSON},
		{"x.csv", "{", FormatCSV},
		{"export.txt", "\xEF\xBB\xBF\n  {\"tenant_id\"", FormatNDJSON},
		{"export", "tenant_id,interaction_id", FormatCSV},
		{"empty", "", FormatCSV},
	} {
		if got := DetectFormat(tc.path, []byte(tc.head)); got != tc.want {
			t.Errorf("DetectFormat(%q, %q) = %s, want %s", tc.path, tc.head, got, tc.want)
		}
	}
	for in, want := range map[string]Format{"": FormatAuto, "AUTO": FormatAuto, "jsonl": FormatNDJSON, "csv": FormatCSV} {
		if got, err := ParseFormat(in); got != want || err != nil {
			t.Errorf("ParseFormat(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	if _, err := ParseFormat("xml"); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("ParseFormat(xml) err = %v", err)
	}
}
