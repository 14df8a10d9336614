package backfill

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"testing"

	"github.com/agentpulse/agentpulse/schemas"
)

// benchRecords returns n distinct valid interactions: simulated records
// repeated with distinct ids.
func benchRecords(b *testing.B, n int) []schemas.Interaction {
	base := simulated(b, min(n, 5000))
	out := make([]schemas.Interaction, n)
	for i := range out {
		out[i] = base[i%len(base)]
		if i >= len(base) {
			out[i].InteractionID += "-" + strconv.Itoa(i/len(base))
		}
	}
	return out
}

func benchmarkReader(b *testing.B, f Format, data []byte, records int) {
	var h *CSVHeader
	var start Position
	if f == FormatCSV {
		var err error
		if h, start, err = ReadCSVHeader(bytes.NewReader(data), 0); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(data)) / int64(records))
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; {
		rd, err := NewReader(f, bytes.NewReader(data[start.Offset:]), h, start, 0)
		if err != nil {
			b.Fatal(err)
		}
		for ; n < b.N; n++ {
			it, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil || it.Err != nil {
				b.Fatal(err, it.Err)
			}
		}
	}
}

func BenchmarkNDJSONReader(b *testing.B) {
	its := benchRecords(b, 5000)
	benchmarkReader(b, FormatNDJSON, ndjsonOf(its), len(its))
}

func BenchmarkCSVReader(b *testing.B) {
	its := benchRecords(b, 5000)
	benchmarkReader(b, FormatCSV, csvOf(its), len(its))
}

// BenchmarkImportNDJSON imports b.N records into the embedded broker, in
// memory, through ingest.Producer with the default batch size. Run with
// -benchtime=1000000x for the figure of a million-record file.
func BenchmarkImportNDJSON(b *testing.B) {
	_, prod := startBroker(b)
	data := ndjsonOf(benchRecords(b, b.N))
	path := writeFile(b, "bench.ndjson", data)
	b.SetBytes(int64(len(data)) / int64(b.N))
	b.ReportAllocs()
	b.ResetTimer()
	im, err := New(Config{Path: path, Logger: quiet()}, prod)
	if err != nil {
		b.Fatal(err)
	}
	sum, err := im.Run(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if sum.Accepted != int64(b.N) {
		b.Fatalf("accepted %d of %d", sum.Accepted, b.N)
	}
	b.ReportMetric(sum.RecordsPerSecond(), "records/s")
}
