package learn

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/agentpulse/agentpulse/outcomes"
)

// checkpoint is what the learner has consumed and learnt.
type checkpoint struct {
	offsets map[tp]int64     // next offset per partition
	newest  map[tp]time.Time // newest event time read per partition
	behind  map[tp]bool      // partitions not caught up with their end
	stream  *outcomes.Stream
	cells   *cells
	// written is the highest learned-part version written as of the
	// checkpoint (0: none); hadCells is whether the file held the cells'
	// state (a checkpoint of a learner before learned parts has none).
	written  int64
	hadCells bool
}

// tp is a topic's partition.
type tp struct {
	topic string
	p     int32
}

// checkpointMagic opens a checkpoint file; the last byte is the format
// version. Version 1 was JSON (the stream as base64 of its own JSON
// encoding); version 2 is binary, written straight from the state
// through a buffer (encode). A version 1 file is not read: the learner
// reads the log again from its start (loadCheckpoint), which gives the
// same state, byte for byte.
var checkpointMagic = [4]byte{'A', 'P', 'L', 2}

func (c *checkpoint) next(topic string, p int32) int64 { return c.offsets[tp{topic, p}] }

func (c *checkpoint) advance(topic string, p int32, next int64) { c.offsets[tp{topic, p}] = next }

// saw records an event time read from a partition.
func (c *checkpoint) saw(topic string, p int32, t time.Time) {
	k := tp{topic, p}
	if t.After(c.newest[k]) {
		c.newest[k] = t.UTC()
	}
}

// caughtUp records whether a partition has reached its end, hwm.
func (c *checkpoint) caughtUp(topic string, p int32, hwm int64) {
	k := tp{topic, p}
	if c.offsets[k] >= hwm {
		delete(c.behind, k)
	} else {
		c.behind[k] = true
	}
}

// holdAll is the low watermark while a partition behind its end has not
// been read from yet: nothing may be sealed.
var holdAll = time.Unix(0, 0).UTC()

// low is the oldest newest-event-time among the partitions still behind
// their end; zero when none is (no bound); holdAll while one of them has
// not been read from yet.
func (c *checkpoint) low() time.Time {
	var lo time.Time
	for k := range c.behind {
		t, ok := c.newest[k]
		if !ok {
			return holdAll
		}
		if lo.IsZero() || t.Before(lo) {
			lo = t
		}
	}
	return lo
}

// position is the records consumed in all.
func (c *checkpoint) position() int64 {
	var n int64
	for _, v := range c.offsets {
		n += v
	}
	return n
}

// save writes the checkpoint atomically: a synced temporary file renamed
// over the last one. It returns the bytes written and how long the sync
// took (on a busy disk, most of a checkpoint's time).
func (c *checkpoint) save(path string) (int64, time.Duration, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return 0, 0, fmt.Errorf("checkpoint: %w", err)
	}
	defer os.Remove(tmp.Name())
	e := outcomes.NewEncoder(tmp)
	c.encode(e)
	if err := e.Flush(); err != nil {
		tmp.Close()
		return 0, 0, fmt.Errorf("checkpoint: write %s: %w", tmp.Name(), err)
	}
	start := time.Now()
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return 0, 0, fmt.Errorf("checkpoint: sync %s: %w", tmp.Name(), err)
	}
	synced := time.Since(start)
	if err := tmp.Close(); err != nil {
		return 0, 0, fmt.Errorf("checkpoint: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, 0, fmt.Errorf("checkpoint: %w", err)
	}
	return e.Written(), synced, nil
}

// encode writes the checkpoint: partitions in (topic, partition) order,
// the version written, the stream, then the cells (when kept). The same
// state writes the same bytes.
func (c *checkpoint) encode(e *outcomes.Encoder) {
	keys := map[tp]bool{}
	for k := range c.offsets {
		keys[k] = true
	}
	for k := range c.newest {
		keys[k] = true
	}
	for k := range c.behind {
		keys[k] = true
	}
	order := make([]tp, 0, len(keys))
	for k := range keys {
		order = append(order, k)
	}
	slices.SortFunc(order, func(a, b tp) int { return cmp.Or(cmp.Compare(a.topic, b.topic), cmp.Compare(a.p, b.p)) })
	e.Bytes(checkpointMagic[:])
	e.Uvarint(uint64(len(order)))
	for _, k := range order {
		e.Str(k.topic)
		e.Varint(int64(k.p))
		e.Varint(c.offsets[k])
		e.Time(c.newest[k])
		e.Bool(c.behind[k])
	}
	e.Varint(c.written)
	c.stream.EncodeTo(e)
	e.Bool(c.cells != nil)
	if c.cells != nil {
		c.cells.encode(e)
	}
}

// decode reads what encode wrote into a new checkpoint.
func (c *checkpoint) decode(d *outcomes.Decoder) error {
	if m := d.Bytes(uint64(len(checkpointMagic)), "checkpoint"); d.Err() != nil || [4]byte(m) != checkpointMagic {
		return fmt.Errorf("not a learner checkpoint of version %d", checkpointMagic[3])
	}
	for range d.Count(4, "partitions") {
		k := tp{d.Str("topic"), int32(d.Varint("partition"))}
		next, newest, behind := d.Varint("next offset"), d.Time("newest"), d.Bool("behind")
		if d.Err() != nil {
			break
		}
		if _, dup := c.offsets[k]; dup {
			d.Fail("partition (twice)")
			break
		}
		c.offsets[k] = next
		if !newest.IsZero() {
			c.newest[k] = newest
		}
		if behind {
			c.behind[k] = true
		}
	}
	c.written = d.Varint("learned version")
	if err := d.Err(); err != nil {
		return err
	}
	if err := c.stream.DecodeFrom(d); err != nil {
		return err
	}
	c.hadCells = d.Bool("cells")
	if c.hadCells {
		if err := c.cells.decode(d); err != nil {
			return err
		}
	}
	if d.Err() == nil && len(d.Rest()) != 0 {
		d.Fail("checkpoint (trailing bytes)")
	}
	return d.Err()
}

// newCheckpoint is the state of a learner that has read nothing.
func newCheckpoint(cfg outcomes.Config, lateness time.Duration) checkpoint {
	return checkpoint{offsets: map[tp]int64{}, newest: map[tp]time.Time{}, behind: map[tp]bool{},
		stream: outcomes.NewStream(cfg, lateness), cells: newCells(cellsHorizon(cfg, lateness))}
}

// loadCheckpoint reads the checkpoint at path, or starts empty when there
// is none. A version 1 (JSON) checkpoint starts empty too, with a
// warning: the log is read again from its start. Anything else it cannot
// read is an error (a damaged file is not silently replaced).
func loadCheckpoint(path string, cfg outcomes.Config, lateness time.Duration, log *slog.Logger) (checkpoint, error) {
	c := newCheckpoint(cfg, lateness)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("learn: read checkpoint: %w", err)
	}
	if len(data) > 0 && data[0] == '{' {
		log.Warn("learner checkpoint of format version 1 (JSON): reading the log again from its start", "path", path)
		return c, nil
	}
	if err := c.decode(outcomes.NewDecoder(data)); err != nil {
		return newCheckpoint(cfg, lateness), fmt.Errorf("learn: checkpoint %s: %w", path, err)
	}
	if was := c.stream.Lateness(); was != lateness {
		// Days were sealed with the old lateness, and the cells' horizon
		// follows it: resuming would mix the two.
		log.Warn("the learner's lateness changed since its checkpoint: reading the log again from its start", "path", path,
			"checkpoint_lateness", was, "lateness", lateness)
		return newCheckpoint(cfg, lateness), nil
	}
	return c, nil
}
