package learn

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// TestWriteFileIsJSONMarshal: the streamed checkpoint encoding is exactly
// json.Marshal's, for empty, nil and odd-length streams, so checkpoints
// written before and after read the same.
func TestWriteFileIsJSONMarshal(t *testing.T) {
	parts := []partition{{Topic: "interactions", Partition: 3, Next: 42, Newest: time.Date(2026, 3, 1, 1, 2, 3, 4, time.UTC), Behind: true}}
	for _, f := range []file{
		{},
		{Partitions: parts},
		{Partitions: parts, Stream: []byte{}},
		{Partitions: parts, Stream: []byte(`{"v":1}`)},
		{Partitions: parts, Stream: bytes.Repeat([]byte("<&>\x00\xff"), 70001)},
		{Partitions: parts, Stream: []byte("s"), Cells: &cellsFile{}, Written: 12},
		{Partitions: parts, Written: -3},
	} {
		want, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		n, err := writeFile(&got, &f)
		if err != nil || n != got.Len() {
			t.Fatalf("writeFile = %d, %v; wrote %d", n, err, got.Len())
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("writeFile differs from json.Marshal:\n got %.200s\nwant %.200s", got.Bytes(), want)
		}
	}
}
