package backfill

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/agentpulse/agentpulse/schemas"
)

// checkItems reads data from its start and checks what every reader must
// guarantee: no panic, every accepted record validates and survives a
// round trip through the encoder, refused records carry a cause, positions
// advance within the file, and resuming at any record's end yields the same
// remaining records.
func checkItems(t *testing.T, f Format, data []byte, maxRecord int) {
	var h *CSVHeader
	start := Position{}
	if f == FormatCSV {
		var err error
		h, start, err = ReadCSVHeader(bytes.NewReader(data), maxRecord)
		if err != nil {
			if !errors.Is(err, ErrBadHeader) && !errors.Is(err, io.EOF) {
				t.Fatalf("header: unexpected error %v", err)
			}
			return
		}
	}
	read := func(at Position) []Item {
		rd, err := NewReader(f, bytes.NewReader(data[at.Offset:]), h, at, maxRecord)
		if err != nil {
			t.Fatal(err)
		}
		var out []Item
		for {
			it, err := rd.Next()
			if errors.Is(err, io.EOF) {
				return out
			}
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			out = append(out, it)
		}
	}
	items := read(start)
	last := start
	for i, it := range items {
		if it.End.Offset <= last.Offset || it.End.Offset > int64(len(data)) || it.End.Line <= last.Line || it.End.Records != int64(i+1) {
			t.Fatalf("item %d ends at %+v after %+v (file of %d bytes)", i, it.End, last, len(data))
		}
		last = it.End
		if it.Err != nil {
			var re *schemas.RecordError
			if !errors.As(it.Err, &re) || re.Index != i {
				t.Fatalf("item %d: refusal %v is not a RecordError with index %d", i, it.Err, i)
			}
			continue
		}
		if err := it.Interaction.Validate(); err != nil {
			t.Fatalf("item %d accepted but invalid: %v", i, err)
		}
		enc := it.Interaction.AppendJSON(nil)
		if _, err := schemas.DecodeInteraction(enc); err != nil {
			t.Fatalf("item %d accepted but its encoding %s does not decode: %v", i, enc, err)
		}
	}
	if len(items) > 1 {
		k := len(items) / 2
		rest := read(items[k].End)
		if len(rest) != len(items)-k-1 {
			t.Fatalf("resuming after item %d: %d items, want %d", k, len(rest), len(items)-k-1)
		}
		for j := range rest {
			if rest[j].End != items[k+1+j].End {
				t.Fatalf("resuming after item %d: item %d ends at %+v, want %+v", k, j, rest[j].End, items[k+1+j].End)
			}
		}
	}
}

func FuzzCSVReader(f *testing.F) {
	row := "acme,c-1,1,voice,a1,t1,billing,2026-11-25T09:00:00Z,2026-11-25T09:05:00Z,300,0.8,0.9,import,\"{\"\"contact_id\"\":\"\"c-1\"\"}\",\"{\"\"vip\"\":true}\"\n"
	f.Add([]byte(csvHeaderLine+row+row), uint16(0))
	f.Add([]byte(csvHeaderLine+"acme,e-7,1,email,a2,t1,\"re\nfund\",2026-11-25T09:00:00Z,2026-11-25T09:20:00Z, 2e2 ,,,import,,\r\n"), uint16(0))
	f.Add([]byte("\xEF\xBB\xBF"+csvHeaderLine+"a\"b,c\n\"x\"y\n,,,\n"+row), uint16(200))
	f.Add([]byte(csvHeaderLine+"acme,c-2,1,voice,a1,t1,billing,2026-11-25T09:00:00Z,2026-11-25T09:05:00Z,-0,1,0,import,{},null\n"), uint16(0))
	f.Add([]byte("source,handle_time_s,ended_at,started_at,inquiry,team_id,agent_id,model,revision,interaction_id,tenant_id\n\"never closed"), uint16(64))
	f.Add([]byte(csvHeaderLine+"acme,c-3,1,voice,a1,t1,bill\xffing,2026-11-25T09:00:00Z,2026-11-25T09:05:00Z,1e999,,,import,\"{},\"\"x\"\":1\",\n"), uint16(0))
	f.Add([]byte("acme,c-1,1,voice,a1,t1,billing,2026-11-25T09:00:00Z,2026-11-25T09:05:00Z,300,,,import,,\n"), uint16(0))
	f.Fuzz(func(t *testing.T, data []byte, maxRecord uint16) {
		// Most random headers are refused; a data that does not start with
		// "tenant_id" gets the full header, so the rows are explored too.
		if !bytes.HasPrefix(data, []byte("tenant_id")) && !bytes.HasPrefix(data, []byte("source")) {
			data = append([]byte(csvHeaderLine), data...)
		}
		checkItems(t, FormatCSV, data, int(maxRecord))
	})
}

func FuzzNDJSONReader(f *testing.F) {
	rec := `{"tenant_id":"acme","interaction_id":"c-1","revision":1,"model":"voice","agent_id":"a1","team_id":"t1","inquiry":"billing","started_at":"2026-11-25T09:00:00Z","ended_at":"2026-11-25T09:05:00Z","handle_time_s":300,"source":"import"}`
	f.Add([]byte(rec+"\n"+rec), uint16(0))
	f.Add([]byte("\xEF\xBB\xBF"+rec+"\r\n\n  \n{oops\n"+rec+"\n"), uint16(0))
	f.Add([]byte(rec+"\n"+rec+"\n"), uint16(100))
	f.Fuzz(func(t *testing.T, data []byte, maxRecord uint16) {
		checkItems(t, FormatNDJSON, data, int(maxRecord))
	})
}
