package backfill

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/agentpulse/agentpulse/schemas"
)

func TestCSVScannerSplitsRecords(t *testing.T) {
	type rec struct {
		fields []string
		line   int
		end    int64
		err    error
	}
	for _, tc := range []struct {
		name string
		in   string
		want []rec
	}{
		{"plain", "a,b,c\n1,2,3\n", []rec{{[]string{"a", "b", "c"}, 1, 6, nil}, {[]string{"1", "2", "3"}, 2, 12, nil}}},
		{"crlf and no final newline", "a,b\r\n1,2", []rec{{[]string{"a", "b"}, 1, 5, nil}, {[]string{"1", "2"}, 2, 8, nil}}},
		{"empty fields", ",a,,\n", []rec{{[]string{"", "a", "", ""}, 1, 5, nil}}},
		{"blank lines skipped", "\n\na\n\r\nb\n", []rec{{[]string{"a"}, 3, 4, nil}, {[]string{"b"}, 5, 8, nil}}},
		{"quoted comma and quote", `"x,y","a""b",z` + "\n", []rec{{[]string{"x,y", `a"b`, "z"}, 1, 15, nil}}},
		{"quoted newline, crlf normalised", "\"a\r\nb\",c\r\nd\n", []rec{{[]string{"a\nb", "c"}, 1, 10, nil}, {[]string{"d"}, 3, 12, nil}}},
		{"quoted empty and final empty", `"",` + "\n", []rec{{[]string{"", ""}, 1, 4, nil}}},
		{"bare quote", "a\"b,c\nok\n", []rec{{nil, 1, 6, ErrCSVSyntax}, {[]string{"ok"}, 2, 9, nil}}},
		{"text after closing quote", "\"a\"b,c\nok\n", []rec{{nil, 1, 7, ErrCSVSyntax}, {[]string{"ok"}, 2, 10, nil}}},
		{"never closed", "ok\n\"abc\nd\n", []rec{{[]string{"ok"}, 1, 3, nil}, {nil, 2, 10, ErrCSVSyntax}}},
		{"too long", "abcdefghijklmnopq\nok\n", []rec{{nil, 1, 18, ErrLineTooLong}, {[]string{"ok"}, 2, 21, nil}}},
		{"exactly the limit", "abcdefghijklmnop\n", []rec{{[]string{"abcdefghijklmnop"}, 1, 17, nil}}},
		{"too long across lines", "\"abcdef\nghijklmn\nopq\"\nok\n", []rec{{nil, 1, 22, ErrLineTooLong}, {[]string{"ok"}, 4, 25, nil}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lr, err := newLineReader(strings.NewReader(tc.in), Position{}, 16)
			if err != nil {
				t.Fatal(err)
			}
			s := &csvScanner{lr: lr}
			var got []rec
			for {
				r, err := s.scan()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				var fields []string
				for _, f := range r.fields {
					fields = append(fields, string(f))
				}
				var cause error
				if r.err != nil {
					cause = ErrCSVSyntax
					if errors.Is(r.err, ErrLineTooLong) {
						cause = ErrLineTooLong
					}
				}
				got = append(got, rec{fields, r.line, r.end.Offset, cause})
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d records %+v, want %d %+v", len(got), got, len(tc.want), tc.want)
			}
			for i := range got {
				g, w := got[i], tc.want[i]
				if !slices.Equal(g.fields, w.fields) || g.line != w.line || g.end != w.end || g.err != w.err {
					t.Errorf("record %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

func TestCSVHeader(t *testing.T) {
	for _, tc := range []struct {
		name, header string
		wantErr      string // substring; "" for success
		cols         int
	}{
		{"every column", csvHeaderLine, "", 15},
		{"required only, any order, spaces", "source, handle_time_s,ended_at,started_at,inquiry,team_id,agent_id,model,revision,interaction_id,tenant_id\n", "", 11},
		{"bom", "\xEF\xBB\xBF" + csvHeaderLine, "", 15},
		{"unknown column", strings.TrimSuffix(csvHeaderLine, "\n") + ",colour\n", `unknown columns "colour"; the columns are`, 0},
		{"missing required", "tenant_id,interaction_id\n", "required columns missing: revision, model", 0},
		{"twice", "tenant_id,tenant_id\n", `column "tenant_id" appears twice`, 0},
		{"trailing comma", strings.TrimSuffix(csvHeaderLine, "\n") + ",\n", "column 16 has no name", 0},
		{"malformed", "tenant_id,\"x\n", "never closed", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, end, err := ReadCSVHeader(strings.NewReader(tc.header), 0)
			if tc.wantErr != "" {
				if !errors.Is(err, ErrBadHeader) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want ErrBadHeader with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(h.Columns()) != tc.cols || end.Offset != int64(len(tc.header)) || end.Line != 1 {
				t.Errorf("columns %v, end %+v; want %d columns ending at %d, line 1", h.Columns(), end, tc.cols, len(tc.header))
			}
		})
	}
	if _, _, err := ReadCSVHeader(strings.NewReader("\n\n"), 0); !errors.Is(err, io.EOF) {
		t.Errorf("a blank file: err = %v, want io.EOF", err)
	}
}

// TestCSVColumnsMatchSchema keeps csvColumns in step with the canonical
// schema's properties and required list.
func TestCSVColumnsMatchSchema(t *testing.T) {
	var s struct {
		Properties map[string]json.RawMessage `json:"properties"`
		Required   []string                   `json:"required"`
	}
	if err := json.Unmarshal(schemas.InteractionSchema, &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Properties) != len(csvColumns) {
		t.Errorf("the schema has %d properties, csvColumns %d", len(s.Properties), len(csvColumns))
	}
	for _, c := range csvColumns {
		if _, ok := s.Properties[c.name]; !ok {
			t.Errorf("column %q is not a property of interaction.schema.json", c.name)
		}
		if got := slices.Contains(s.Required, c.name); got != c.required {
			t.Errorf("column %q: required %v, the schema says %v", c.name, c.required, got)
		}
	}
}

// TestCSVReaderInputs: the optional inputs of learned outcomes read from
// their own columns; an empty cell is absent; a bad cell names the field.
func TestCSVReaderInputs(t *testing.T) {
	const header = "tenant_id,interaction_id,revision,model,agent_id,team_id,inquiry,started_at,ended_at,handle_time_s,source," +
		"hold_s,queue_wait_s,transfers,customer_key,chain_id,initiation\n"
	const row = "acme,c-1,1,voice,a1,t1,billing,2026-11-25T09:00:00Z,2026-11-25T09:05:00Z,300,import,"
	items := readAll(t, FormatCSV, []byte(header+row+"12.5,30,1,k-9,chain-1,inbound\n"+row+",,,,,\n"+row+"1,2,1.5,,,phone\n"), Position{})
	if len(items) != 3 {
		t.Fatalf("%d items, want 3", len(items))
	}
	it := items[0].Interaction
	if items[0].Err != nil || *it.HoldS != 12.5 || *it.QueueWaitS != 30 || *it.Transfers != 1 ||
		it.CustomerKey != "k-9" || it.ChainID != "chain-1" || it.Initiation != "inbound" {
		t.Errorf("full row: %v %s", items[0].Err, it.AppendJSON(nil))
	}
	it = items[1].Interaction
	if items[1].Err != nil || it.HoldS != nil || it.QueueWaitS != nil || it.Transfers != nil || it.CustomerKey != "" || it.Initiation != "" {
		t.Errorf("empty cells: %v %s", items[1].Err, it.AppendJSON(nil))
	}
	want := `transfers: must be a whole number between 0 and 1000, got 1.5; initiation: must be one of inbound, outbound, callback or transfer, got "phone"`
	if items[2].Err == nil || !strings.Contains(items[2].Err.Error(), want) {
		t.Errorf("bad row: %v, want %q", items[2].Err, want)
	}
}

func TestCSVReaderRecords(t *testing.T) {
	const header = "tenant_id,interaction_id,revision,model,agent_id,team_id,inquiry,started_at,ended_at,handle_time_s,predicted_satisfaction,predicted_resolution,source,source_refs,attributes\n"
	const good = "acme,c-1,1,voice,a1,t1,billing,2026-11-25T09:00:00Z,2026-11-25T09:05:00Z,300,0.8,0.9,import,\"{\"\"contact_id\"\":\"\"c-1\"\"}\",\n"
	for _, tc := range []struct {
		name    string
		row     string
		check   func(*schemas.Interaction) bool
		wantErr string // substring of the refusal; "" for a valid row
	}{
		{"full row", good, func(it *schemas.Interaction) bool {
			return it.TenantID == "acme" && it.HandleTimeS == 300 && *it.PredictedSatisfaction == 0.8 &&
				it.SourceRefs.Map()["contact_id"] == "c-1" && it.Attributes.IsZero()
		}, ""},
		{"email without predictions, attributes", "acme,e-7,2,email,a2,t1,refund,2026-11-25T09:00:00Z,2026-11-25T09:20:00Z, 240 ,,,import,,\"{\"\"vip\"\":true,\"\"n\"\":2}\"\n",
			func(it *schemas.Interaction) bool {
				return it.Revision == 2 && it.HandleTimeS == 240 && it.PredictedSatisfaction == nil &&
					it.PredictedResolution == nil && it.Attributes.Map()["vip"] == true && it.Attributes.Map()["n"] == 2.0
			}, ""},
		{"inquiry with comma and quote", "acme,c-2,1,chat,a1,t1,\"billing, \"\"late\"\"\",2026-11-25T09:00:00Z,2026-11-25T09:05:00Z,300,,,import,,\n",
			func(it *schemas.Interaction) bool { return it.Inquiry == `billing, "late"` }, ""},
		{"not a number", "acme,c-3,1,voice,a1,t1,billing,2026-11-25T09:00:00Z,2026-11-25T09:05:00Z,5 min,,,import,,\n", nil,
			`line 2 (record 0): handle_time_s: must be a number such as 300 or 0.85, got "5 min"`},
		{"missing required", "acme,,1,voice,a1,t1,billing,2026-11-25T09:00:00Z,2026-11-25T09:05:00Z,300,,,import,,\n", nil,
			"interaction_id"},
		{"out of range and bad object", "acme,c-4,1,voice,a1,t1,billing,2026-11-25T09:00:00Z,2026-11-25T09:05:00Z,300,1.5,,import,{oops},\n", nil,
			`predicted_satisfaction: must be a probability between 0 and 1, got 1.5; source_refs: must be a JSON object such as {"contact_id":"c-1"}, got "{oops}"`},
		{"wrong field count", "acme,c-5,1\n", nil, "the record has 3 fields, the header 15"},
		{"injection attempt stays one field", "acme,c-6,1,voice,a1,t1,billing,2026-11-25T09:00:00Z,2026-11-25T09:05:00Z,300,,,import,\"{},\"\"tenant_id\"\":\"\"x\"\"\",\n", nil,
			"source_refs"},
		{"invalid utf-8 is refused, not repaired", "acme,c-7,1,voice,a1,t1,bill\xffing,2026-11-25T09:00:00Z,2026-11-25T09:05:00Z,300,,,import,,\n", nil,
			"inquiry"},
		{"ended before started", "acme,c-8,1,voice,a1,t1,billing,2026-11-25T09:05:00Z,2026-11-25T09:00:00Z,300,,,import,,\n", nil,
			"ended_at"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(header + tc.row)
			items := readAll(t, FormatCSV, data, Position{})
			if len(items) != 1 {
				t.Fatalf("%d items, want 1", len(items))
			}
			it := items[0]
			if it.End.Offset != int64(len(data)) || it.End.Line != 2 || it.End.Records != 1 {
				t.Errorf("end %+v, want offset %d line 2 records 1", it.End, len(data))
			}
			if tc.wantErr == "" {
				if it.Err != nil {
					t.Fatalf("refused: %v", it.Err)
				}
				if !tc.check(&it.Interaction) {
					t.Errorf("decoded %+v", it.Interaction)
				}
				return
			}
			if it.Err == nil || !strings.Contains(it.Err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want one containing %q", it.Err, tc.wantErr)
			}
			if !bytes.Equal(it.Raw, []byte(strings.TrimSuffix(tc.row, "\n"))) {
				t.Errorf("raw = %q, want the row as in the file", it.Raw)
			}
		})
	}
}

// TestCSVMatchesNDJSON: the same interactions as CSV and as NDJSON read
// back identically.
func TestCSVMatchesNDJSON(t *testing.T) {
	its := simulated(t, 300)
	fromCSV := readAll(t, FormatCSV, csvOf(its), Position{})
	fromNDJSON := readAll(t, FormatNDJSON, ndjsonOf(its), Position{})
	if len(fromCSV) != len(its) || len(fromNDJSON) != len(its) {
		t.Fatalf("%d from CSV, %d from NDJSON, want %d", len(fromCSV), len(fromNDJSON), len(its))
	}
	for i := range its {
		if fromCSV[i].Err != nil {
			t.Fatalf("CSV record %d: %v", i, fromCSV[i].Err)
		}
		a, b := fromCSV[i].Interaction.AppendJSON(nil), fromNDJSON[i].Interaction.AppendJSON(nil)
		if !bytes.Equal(a, b) || !bytes.Equal(a, its[i].AppendJSON(nil)) {
			t.Fatalf("record %d:\ncsv    %s\nndjson %s", i, a, b)
		}
	}
}
