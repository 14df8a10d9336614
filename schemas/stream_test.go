package schemas

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// result is what one Next call returned, reduced for comparison.
type result struct {
	id    string // interaction_id of an accepted record
	line  int    // RecordError.Line
	index int    // RecordError.Index
	err   string // "" for a record; else a substring of the error
}

type nexter interface{ Next() (Interaction, error) }

func drain(t *testing.T, d nexter) ([]result, error) {
	t.Helper()
	var out []result
	for range 1000 {
		it, err := d.Next()
		var re *RecordError
		switch {
		case err == nil:
			out = append(out, result{id: it.InteractionID})
		case errors.As(err, &re):
			out = append(out, result{line: re.Line, index: re.Index, err: err.Error()})
		default:
			return out, err
		}
	}
	t.Fatal("decoder does not end")
	return nil, nil
}

func checkResults(t *testing.T, got, want []result) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d results %+v, want %d %+v", len(got), got, len(want), want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.id != w.id || g.line != w.line || g.index != w.index || !strings.Contains(g.err, w.err) || (w.err == "") != (g.err == "") {
			t.Errorf("result %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestNDJSONDecoder(t *testing.T) {
	lines := strings.Split(strings.TrimSpace(ndjsonSample), "\n")
	long := `{"x":"` + strings.Repeat("y", 600) + `"}`
	in := lines[0] + "\n\n   \r\n" + lines[1] + "\r\n" + `{"foo":1}` + "\n" + long + "\n" + `{"a":` + "\n" + lines[2]
	d := NewNDJSONDecoder(strings.NewReader(in), 512)
	got, err := drain(t, d)
	if err != io.EOF {
		t.Fatalf("end: %v", err)
	}
	checkResults(t, got, []result{
		{id: "c-1"},
		{id: "c-2"},
		{line: 5, index: 2, err: "line 5 (record 2): tenant_id: is required"},
		{line: 6, index: 3, err: "line too long: more than 512 bytes"},
		{line: 7, index: 4, err: "invalid JSON at byte 5"},
		{id: "c-3"},
	})
	if d.Line() != 8 {
		t.Errorf("Line() = %d", d.Line())
	}
	if _, err := d.Next(); err != io.EOF {
		t.Errorf("after EOF: %v", err)
	}
}

func TestNDJSONLineLimitIsExact(t *testing.T) {
	rec := strings.SplitN(ndjsonSample, "\n", 2)[0]
	for _, tc := range []struct {
		max  int
		ok   bool
		body string
	}{
		{len(rec), true, rec + "\n"},
		{len(rec), true, rec},
		{len(rec) + 1, true, rec + "\r\n"},
		{len(rec), false, rec + "\r\n"},
		{len(rec) - 1, false, rec + "\n"},
		{len(rec) - 1, false, rec},
	} {
		d := NewNDJSONDecoder(iotest.OneByteReader(strings.NewReader(tc.body)), tc.max)
		_, err := d.Next()
		if (err == nil) != tc.ok {
			t.Errorf("max %d body %q...: %v", tc.max, tc.body[:10], err)
		}
		if tc.ok == false && !errors.Is(err, ErrLineTooLong) {
			t.Errorf("want ErrLineTooLong, got %v", err)
		}
	}
}

func TestNDJSONReaderErrorIsSticky(t *testing.T) {
	boom := errors.New("boom")
	d := NewNDJSONDecoder(io.MultiReader(strings.NewReader(strings.SplitN(ndjsonSample, "\n", 2)[0]+"\n"), iotest.ErrReader(boom)), 0)
	if _, err := d.Next(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := d.Next(); !errors.Is(err, boom) {
			t.Errorf("got %v, want boom", err)
		}
	}
}

func TestArrayDecoder(t *testing.T) {
	lines := strings.Split(strings.TrimSpace(ndjsonSample), "\n")
	big := `{"x":"` + strings.Repeat("]", 600) + `"}`
	in := " [\n" + lines[0] + ",\n" + `{"foo":"],}"}` + ",\n" + big + ",\n" + lines[1] + " , " + lines[2] + "\n]\n "
	d := NewArrayDecoder(strings.NewReader(in), 512)
	got, err := drain(t, d)
	if err != io.EOF {
		t.Fatalf("end: %v", err)
	}
	checkResults(t, got, []result{
		{id: "c-1"},
		{line: 3, index: 1, err: "foo: is not a field"},
		{line: 4, index: 2, err: "record too large"},
		{id: "c-2"},
		{id: "c-3"},
	})
}

func TestArrayDecoderTerminalErrors(t *testing.T) {
	rec := strings.SplitN(ndjsonSample, "\n", 2)[0]
	tests := []struct {
		in     string
		offset int
		msg    string
	}{
		{``, 0, "empty body"},
		{`{}`, 0, "expected a JSON array"},
		{`[`, 1, "unterminated array"},
		{`[` + rec, 1 + len(rec), "unexpected end of input"},
		{`[` + rec + `,]`, len(rec) + 2, "empty input"},
		{`[{"a":tru}]`, 6, "invalid literal"},
		{`[{}}]`, 3, "unexpected '}'"},
		{`[] x`, 3, "unexpected data after the array"},
	}
	for _, tt := range tests {
		d := NewArrayDecoder(strings.NewReader(tt.in), 0)
		var err error
		for range 10 {
			if _, err = d.Next(); err == nil || errors.As(err, new(*RecordError)) {
				continue
			}
			break
		}
		var se *SyntaxError
		if !errors.As(err, &se) || se.Offset != tt.offset || !strings.Contains(se.Msg, tt.msg) {
			t.Errorf("%q: got %v, want offset %d %q", tt.in, err, tt.offset, tt.msg)
			continue
		}
		if _, again := d.Next(); again != err {
			t.Errorf("%q: terminal error not sticky: %v", tt.in, again)
		}
	}
}

func TestArrayDecoderEmpty(t *testing.T) {
	for _, in := range []string{"[]", " [ \n ] \n"} {
		d := NewArrayDecoder(strings.NewReader(in), 0)
		if _, err := d.Next(); err != io.EOF {
			t.Errorf("%q: %v", in, err)
		}
	}
}

func BenchmarkNDJSONDecoder(b *testing.B) {
	var sb strings.Builder
	rec := benchRecord()
	line := string(rec.AppendJSON(nil)) + "\n"
	for range 1000 {
		sb.WriteString(line)
	}
	body := sb.String()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		d := NewNDJSONDecoder(strings.NewReader(body), 0)
		for {
			if _, err := d.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}
