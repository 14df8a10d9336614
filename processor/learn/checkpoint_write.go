package learn

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"io"
	"strconv"
)

// writeFile writes f as json.Marshal would, byte for byte, and returns
// the bytes written, without holding the whole encoding in memory: the
// stream (hundreds of MB for a large history) is base64-encoded straight
// into the writer instead of into a second, 4/3 larger, JSON buffer and
// then a copy of it (which made a learner checkpoint of `make run` hold
// ~2 GB at once).
func writeFile(w io.Writer, f *file) (int, error) {
	parts, err := json.Marshal(f.Partitions)
	if err != nil {
		return 0, err
	}
	cw := &countWriter{w: w}
	bw := bufio.NewWriterSize(cw, 1<<16)
	bw.WriteString(`{"partitions":`)
	bw.Write(parts)
	if f.Stream == nil {
		bw.WriteString(`,"stream":null`)
	} else {
		bw.WriteString(`,"stream":"`)
		enc := base64.NewEncoder(base64.StdEncoding, bw)
		enc.Write(f.Stream)
		enc.Close()
		bw.WriteString(`"`)
	}
	if f.Cells != nil {
		cells, err := json.Marshal(f.Cells)
		if err != nil {
			return 0, err
		}
		bw.WriteString(`,"cells":`)
		bw.Write(cells)
	}
	if f.Written != 0 {
		bw.WriteString(`,"learned_version":`)
		bw.WriteString(strconv.FormatInt(f.Written, 10))
	}
	bw.WriteString(`}`)
	if err := bw.Flush(); err != nil {
		return cw.n, err
	}
	return cw.n, nil
}

// countWriter counts what passes through it.
type countWriter struct {
	w io.Writer
	n int
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += n
	return n, err
}
