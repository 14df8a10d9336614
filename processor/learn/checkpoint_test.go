package learn

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/agentpulse/agentpulse/outcomes"
	"github.com/agentpulse/agentpulse/views/reference"
)

// TestCheckpointRoundTrip: a checkpoint read back writes the same bytes;
// a format 1 (JSON) checkpoint is not read but starts the learner empty
// (it reads the log again from its start); anything else is an error.
func TestCheckpointRoundTrip(t *testing.T) {
	dir := t.TempDir()
	log := slog.New(slog.DiscardHandler)
	cp := newCheckpoint(outcomes.Config{}, time.Hour)
	base := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	for i := range 40 {
		it := ix(string(rune('a'+i%26))+string(rune('a'+i/26)), "ag", base.Add(time.Duration(i)*3*time.Hour), 1)
		it.CustomerKey = []string{"c1", "c2", "c3"}[i%3]
		cp.stream.AddContact(reference.ContactOf(&it))
		cp.cells.place(&it)
		cp.advance("interactions", int32(i%3), int64(i+1))
		cp.saw("interactions", int32(i%3), it.EndedAt)
	}
	for _, e := range cp.stream.Drain() {
		cp.cells.score(&e)
	}
	cp.cells.flush()
	cp.written = 7
	a := filepath.Join(dir, "a")
	if _, _, err := cp.save(a); err != nil {
		t.Fatal(err)
	}
	back, err := loadCheckpoint(a, outcomes.Config{}, time.Hour, log)
	if err != nil {
		t.Fatal(err)
	}
	if back.position() != cp.position() || back.written != 7 || !back.hadCells || back.stream.Kept() != 40 {
		t.Fatalf("read back: position %d, written %d, cells %v, kept %d", back.position(), back.written, back.hadCells, back.stream.Kept())
	}
	b := filepath.Join(dir, "b")
	if _, _, err := back.save(b); err != nil {
		t.Fatal(err)
	}
	ab, _ := os.ReadFile(a)
	bb, _ := os.ReadFile(b)
	if !bytes.Equal(ab, bb) {
		t.Fatalf("a checkpoint read back writes other bytes (%d, %d)", len(ab), len(bb))
	}

	// Another lateness (--learn-lateness changed): days were sealed with
	// the old one, so the learner starts empty and reads the log again.
	if c, err := loadCheckpoint(a, outcomes.Config{}, 2*time.Hour, log); err != nil || c.position() != 0 || c.stream.Lateness() != 2*time.Hour {
		t.Fatalf("checkpoint of another lateness: position %d, lateness %v, %v; want an empty learner", c.position(), c.stream.Lateness(), err)
	}

	old := filepath.Join(dir, "old.json")
	if err := os.WriteFile(old, []byte(`{"partitions":[{"topic":"interactions","partition":0,"next":42}],"stream":"e30="}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if c, err := loadCheckpoint(old, outcomes.Config{}, time.Hour, log); err != nil || c.position() != 0 {
		t.Fatalf("format 1 checkpoint: position %d, %v; want an empty learner", c.position(), err)
	}
	for _, bad := range [][]byte{[]byte("xyz"), ab[:len(ab)/2], append(bytes.Clone(ab), 0)} {
		if err := os.WriteFile(old, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := loadCheckpoint(old, outcomes.Config{}, time.Hour, log); err == nil {
			t.Fatalf("a damaged checkpoint (%d bytes) was read", len(bad))
		}
	}
}
