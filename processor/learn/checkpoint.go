package learn

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
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

// file is the checkpoint's encoding: slices in a fixed order, so the same
// state writes the same bytes.
type file struct {
	Partitions []partition `json:"partitions"`
	Stream     []byte      `json:"stream"`
	Cells      *cellsFile  `json:"cells,omitempty"`
	// Written is checkpoint.written.
	Written int64 `json:"learned_version,omitempty"`
}

type partition struct {
	Topic     string    `json:"topic"`
	Partition int32     `json:"partition"`
	Next      int64     `json:"next"`
	Newest    time.Time `json:"newest"`
	Behind    bool      `json:"behind"`
}

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
// over the last one.
func (c *checkpoint) save(path string) (int, error) {
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
	var f file
	for _, k := range order {
		f.Partitions = append(f.Partitions, partition{Topic: k.topic, Partition: k.p, Next: c.offsets[k], Newest: c.newest[k], Behind: c.behind[k]})
	}
	b, err := c.stream.MarshalBinary()
	if err != nil {
		return 0, fmt.Errorf("checkpoint: %w", err)
	}
	f.Stream = b
	f.Cells, f.Written = c.cells.file(), c.written
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return 0, fmt.Errorf("checkpoint: %w", err)
	}
	defer os.Remove(tmp.Name())
	n, err := writeFile(tmp, &f)
	if err != nil {
		tmp.Close()
		return 0, fmt.Errorf("checkpoint: write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return 0, fmt.Errorf("checkpoint: sync %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return 0, fmt.Errorf("checkpoint: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, fmt.Errorf("checkpoint: %w", err)
	}
	return n, nil
}

// newCheckpoint is the state of a learner that has read nothing.
func newCheckpoint(cfg outcomes.Config, lateness time.Duration) checkpoint {
	return checkpoint{offsets: map[tp]int64{}, newest: map[tp]time.Time{}, behind: map[tp]bool{},
		stream: outcomes.NewStream(cfg, lateness), cells: newCells(cellsHorizon(cfg, lateness))}
}

// loadCheckpoint reads the checkpoint at path, or starts empty when there
// is none.
func loadCheckpoint(path string, cfg outcomes.Config, lateness time.Duration) (checkpoint, error) {
	c := newCheckpoint(cfg, lateness)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("learn: read checkpoint: %w", err)
	}
	var f file
	if err := json.Unmarshal(data, &f); err != nil {
		return c, fmt.Errorf("learn: checkpoint %s: %w", path, err)
	}
	for _, p := range f.Partitions {
		k := tp{p.Topic, p.Partition}
		c.offsets[k] = p.Next
		if !p.Newest.IsZero() {
			c.newest[k] = p.Newest
		}
		if p.Behind {
			c.behind[k] = true
		}
	}
	if err := c.stream.UnmarshalBinary(f.Stream); err != nil {
		return c, fmt.Errorf("learn: checkpoint %s: %w", path, err)
	}
	if err := c.cells.load(f.Cells); err != nil {
		return c, fmt.Errorf("learn: checkpoint %s: %w", path, err)
	}
	c.written, c.hadCells = f.Written, f.Cells != nil
	return c, nil
}
